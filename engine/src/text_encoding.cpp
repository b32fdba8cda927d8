// Document encodings: byte-order marks, UTF-16 to UTF-8, UTF-8 validation (RFC 3629).
#include "text_encoding.h"

#include <cstdint>
#include <cstring>

namespace gbl {

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {

/// UTF-16 (after its byte-order mark) to UTF-8; false with *error on an unpaired surrogate.
bool FromUtf16(std::string_view bytes, bool little_endian, std::string* out, std::string* error) {
  const char* name = little_endian ? "UTF-16LE" : "UTF-16BE";
  if (bytes.size() % 2 != 0) {
    *error = std::string("the document is ") + name + " but has an odd number of bytes (" +
             std::to_string(bytes.size() + 2) + "): it is cut off";
    return false;
  }
  out->reserve(bytes.size() / 2 + bytes.size() / 8);
  auto unit = [&](size_t i) {
    auto b0 = static_cast<uint8_t>(bytes[i]), b1 = static_cast<uint8_t>(bytes[i + 1]);
    return static_cast<uint32_t>(little_endian ? (b0 | (b1 << 8)) : ((b0 << 8) | b1));
  };
  for (size_t i = 0; i < bytes.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < bytes.size()) {
      uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        AppendUtf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (u >= 0xD800 && u <= 0xDFFF) {
      *error = std::string("invalid ") + name + " at byte " + std::to_string(i + 2) +
               ": an unpaired surrogate";
      return false;
    }
    AppendUtf8(out, u);
  }
  return true;
}

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII runs, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, min = 0x10000;
    } else {
      return i;  // a continuation byte, C0/C1 (overlong) or F5+
    }
    if (i + len > n) return i;
    uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

DecodedText DecodeDocument(std::string_view bytes) {
  DecodedText d;
  auto starts = [&](const char* prefix, size_t len) {
    return bytes.size() >= len && std::memcmp(bytes.data(), prefix, len) == 0;
  };
  if (starts("\xFF\xFE\x00\x00", 4) || starts("\x00\x00\xFE\xFF", 4)) {
    d.encoding = bytes[0] == '\xFF' ? "UTF-32LE" : "UTF-32BE";
    d.error = "the document is " + d.encoding + " (its byte-order mark says so): save it as UTF-8";
    return d;
  }
  if (starts("\xFF\xFE", 2) || starts("\xFE\xFF", 2)) {
    const bool le = bytes[0] == '\xFF';
    d.encoding = le ? "UTF-16LE" : "UTF-16BE";
    if (!FromUtf16(bytes.substr(2), le, &d.owned, &d.error)) return d;
    d.text = d.owned;
    return d;
  }
  if (starts("\xEF\xBB\xBF", 3)) {
    d.encoding = "UTF-8 with BOM";
    d.text = bytes.substr(3);
  } else {
    d.encoding = "UTF-8";
    d.text = bytes;
    // UTF-16 without a byte-order mark: JSON starts with an ASCII character, so every other byte
    // is zero.
    if (bytes.size() >= 4 && bytes[0] != '\0' && bytes[1] == '\0' && bytes[3] == '\0') {
      d.error = "the document looks like UTF-16LE without a byte-order mark: save it as UTF-8";
      return d;
    }
    if (bytes.size() >= 4 && bytes[0] == '\0' && bytes[1] != '\0' && bytes[2] == '\0') {
      d.error = "the document looks like UTF-16BE without a byte-order mark: save it as UTF-8";
      return d;
    }
  }
  size_t bad = FindInvalidUtf8(d.text);
  if (bad != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(d.text[bad]));
    d.error = "invalid UTF-8 at byte " + std::to_string(bad + (bytes.size() - d.text.size())) +
              " (" + hex + "): the document must be UTF-8 (or UTF-16 with a byte-order mark)";
  }
  return d;
}

}  // namespace gbl
