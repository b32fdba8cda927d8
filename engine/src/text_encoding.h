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

/// Decodes a document that comes in pieces: the encoding is told by its first bytes, UTF-16 is
/// converted as it arrives (a code unit or surrogate pair may straddle pieces), UTF-8 is checked
/// as it arrives. Errors and their byte offsets do not depend on where the pieces end.
class DocumentDecoder {
 public:
  /// Decodes the next piece (`last`: no more comes) into `*out`, UTF-8 text valid until the next
  /// call (into `bytes`, or converted); false on an error (Error() says which and where), with
  /// `*out` the text before it (for UTF-8, up to and including the first bad byte), so a caller
  /// can report whichever error comes first in the document.
  bool Feed(std::string_view bytes, bool last, std::string_view* out);
  /// What went wrong.
  const std::string& Error() const { return error_; }
  /// "UTF-8", "UTF-8 with BOM", "UTF-16LE", "UTF-16BE"; empty while undecided.
  const std::string& Encoding() const { return encoding_; }

 private:
  enum class Kind { kUndecided, kUtf8, kUtf16Le, kUtf16Be, kFailed };
  bool Decide(std::string_view head, bool last, size_t* skip);
  bool CheckUtf8(std::string_view text, bool last);
  bool ConvertUtf16(std::string_view bytes, bool last);
  bool Fail(std::string message);

  Kind kind_ = Kind::kUndecided;
  std::string encoding_;
  std::string error_;
  std::string head_;       ///< the first bytes, until they tell the encoding
  std::string converted_;  ///< this piece, converted from UTF-16
  std::string carry_;      ///< an incomplete UTF-8 sequence or UTF-16 code unit at a piece's end
  size_t raw_ = 0;         ///< bytes before this piece
  size_t bad_at_ = 0;      ///< UTF-8: the document offset of the first bad byte
  uint32_t high_ = 0;      ///< UTF-16: a high surrogate waiting for its low half
  size_t high_at_ = 0;     ///< its byte offset
};

/// Decodes a document's bytes to UTF-8 and checks that the UTF-8 is well formed.
DecodedText DecodeDocument(std::string_view bytes);

/// Length of the well-formed UTF-8 sequence at p (1 for ASCII), or 0 when it is ill-formed
/// (overlong, a surrogate, beyond U+10FFFF, truncated, a stray continuation byte).
size_t Utf8SequenceLength(const unsigned char* p, size_t n);

/// The byte offset of the first ill-formed UTF-8 sequence (overlong, surrogate, beyond U+10FFFF,
/// truncated), or std::string_view::npos when the text is well formed.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace gbl
