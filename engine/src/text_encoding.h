// The document's encoding, decided at the edge: UTF-8 (with or without a byte-order mark) is read
// as it is; UTF-16LE/BE with a byte-order mark (Windows PowerShell 5.1's `>` and `Out-File`) is
// converted to UTF-8; anything else is refused naming the encoding seen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gbl {

/// What DecodeDocument found.
struct DecodedText {
  std::string_view text;  ///< UTF-8 JSON text (into the input, or into `owned`)
  std::string owned;      ///< the converted text, when the input was UTF-16
  std::string encoding;   ///< "UTF-8", "UTF-8 with BOM", "UTF-16LE", "UTF-16BE"
  std::string error;      ///< non-empty when the text cannot be read; names the encoding / byte
};

/// Appends a code point (at most U+10FFFF, not a surrogate) as UTF-8.
void AppendUtf8(std::string* out, uint32_t cp);

/// Decodes a document's bytes to UTF-8 and checks that the UTF-8 is well formed.
DecodedText DecodeDocument(std::string_view bytes);

/// The byte offset of the first ill-formed UTF-8 sequence (overlong, surrogate, beyond U+10FFFF,
/// truncated), or std::string_view::npos when the text is well formed.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace gbl
