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

/// Length of the UTF-8 sequence a lead byte starts (1 for anything that is not a lead byte).
size_t SequenceLength(unsigned char c) {
  return c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;
}

}  // namespace

size_t Utf8SequenceLength(const unsigned char* p, size_t n) {
  if (n == 0) return 0;
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  // A continuation byte, C0/C1 (always overlong) or F5+ (beyond U+10FFFF) starts nothing.
  const size_t len = SequenceLength(c);
  if (len == 1 || len > n) return 0;
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};  // shortest form per length
  uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

size_t FindInvalidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII runs, 32 bytes at a time, then eight.
    while (i + 32 <= n) {
      uint64_t w[4];
      std::memcpy(w, p + i, 32);
      if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) break;
      i += 32;
    }
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(p + i, n - i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

bool DocumentDecoder::Fail(std::string message) {
  kind_ = Kind::kFailed;
  error_ = std::move(message);
  return false;
}

bool DocumentDecoder::Decide(std::string_view head, bool last, size_t* skip) {
  auto starts = [&](const char* prefix, size_t len) {
    return head.size() >= len && std::memcmp(head.data(), prefix, len) == 0;
  };
  *skip = 0;
  if (starts("\xFF\xFE\x00\x00", 4) || starts("\x00\x00\xFE\xFF", 4)) {
    encoding_ = head[0] == '\xFF' ? "UTF-32LE" : "UTF-32BE";
    return Fail("the document is " + encoding_ +
                " (its byte-order mark says so): save it as UTF-8");
  }
  // "\xFF\xFE" may begin a UTF-32LE mark: wait for the 4 bytes that tell.
  if (head.size() < 4 && !last) return true;
  if (starts("\xFF\xFE", 2) || starts("\xFE\xFF", 2)) {
    kind_ = head[0] == '\xFF' ? Kind::kUtf16Le : Kind::kUtf16Be;
    encoding_ = kind_ == Kind::kUtf16Le ? "UTF-16LE" : "UTF-16BE";
    *skip = 2;
    return true;
  }
  kind_ = Kind::kUtf8;
  if (starts("\xEF\xBB\xBF", 3)) {
    encoding_ = "UTF-8 with BOM";
    *skip = 3;
    return true;
  }
  encoding_ = "UTF-8";
  // UTF-16 without a byte-order mark: JSON starts with an ASCII character, so every other byte
  // is zero.
  if (head.size() >= 4 && head[0] != '\0' && head[1] == '\0' && head[3] == '\0') {
    return Fail("the document looks like UTF-16LE without a byte-order mark: save it as UTF-8");
  }
  if (head.size() >= 4 && head[0] == '\0' && head[1] != '\0' && head[2] == '\0') {
    return Fail("the document looks like UTF-16BE without a byte-order mark: save it as UTF-8");
  }
  return true;
}

bool DocumentDecoder::CheckUtf8(std::string_view text, bool last) {
  // The bytes of this piece that start a sequence ending in the next one wait for it.
  auto report = [&](size_t at, unsigned char byte) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", byte);
    bad_at_ = at;
    return Fail("invalid UTF-8 at byte " + std::to_string(at) + " (" + hex +
                "): the document must be UTF-8 (or UTF-16 with a byte-order mark)");
  };
  size_t i = 0;
  const size_t start = raw_;  // document offset of text[0]
  if (!carry_.empty()) {
    size_t need = SequenceLength(static_cast<unsigned char>(carry_[0])) - carry_.size();
    size_t take = std::min(need, text.size());
    carry_.append(text.data(), take);
    i = take;
    if (carry_.size() < SequenceLength(static_cast<unsigned char>(carry_[0])) && !last) return true;
    if (FindInvalidUtf8(carry_) != std::string_view::npos) {
      return report(start - (carry_.size() - take), static_cast<unsigned char>(carry_[0]));
    }
    carry_.clear();
  }
  std::string_view rest = text.substr(i);
  size_t keep = 0;
  if (!last) {
    // A lead byte among the last three whose sequence does not end in this piece.
    for (size_t k = 1; k <= 3 && k <= rest.size(); ++k) {
      auto c = static_cast<unsigned char>(rest[rest.size() - k]);
      if ((c & 0xC0) == 0x80) continue;
      if (SequenceLength(c) > k) keep = k;
      break;
    }
  }
  size_t bad = FindInvalidUtf8(rest.substr(0, rest.size() - keep));
  if (bad != std::string_view::npos) {
    return report(start + i + bad, static_cast<unsigned char>(rest[bad]));
  }
  carry_.assign(rest.data() + rest.size() - keep, keep);
  return true;
}

bool DocumentDecoder::ConvertUtf16(std::string_view bytes, bool last) {
  const bool le = kind_ == Kind::kUtf16Le;
  const char* name = le ? "UTF-16LE" : "UTF-16BE";
  converted_.clear();
  converted_.reserve(bytes.size() / 2 + bytes.size() / 8 + 4);
  size_t i = 0;
  size_t at = raw_;  // document offset of the next code unit
  auto unit = [&](unsigned char b0, unsigned char b1) {
    return static_cast<uint32_t>(le ? (b0 | (b1 << 8)) : ((b0 << 8) | b1));
  };
  auto take = [&](uint32_t u) {
    if (high_ != 0) {
      if (u >= 0xDC00 && u <= 0xDFFF) {
        AppendUtf8(&converted_, 0x10000 + ((high_ - 0xD800) << 10) + (u - 0xDC00));
        high_ = 0;
        return true;
      }
      return Fail(std::string("invalid ") + name + " at byte " + std::to_string(high_at_) +
                  ": an unpaired surrogate");
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
      high_ = u;
      high_at_ = at;
      return true;
    }
    if (u >= 0xDC00 && u <= 0xDFFF) {
      return Fail(std::string("invalid ") + name + " at byte " + std::to_string(at) +
                  ": an unpaired surrogate");
    }
    AppendUtf8(&converted_, u);
    return true;
  };
  if (!carry_.empty() && !bytes.empty()) {
    at = raw_ - 1;  // the unit began in the previous piece
    if (!take(unit(static_cast<unsigned char>(carry_[0]), static_cast<unsigned char>(bytes[0]))))
      return false;
    carry_.clear();
    i = 1;
    at = raw_ + 1;
  }
  for (; i + 1 < bytes.size(); i += 2, at += 2) {
    if (!take(unit(static_cast<unsigned char>(bytes[i]), static_cast<unsigned char>(bytes[i + 1]))))
      return false;
  }
  if (i < bytes.size()) carry_.assign(1, bytes[i]);
  if (last) {
    const size_t total = raw_ + bytes.size();
    if (!carry_.empty()) {
      return Fail(std::string("the document is ") + name + " but has an odd number of bytes (" +
                  std::to_string(total) + "): it is cut off");
    }
    if (high_ != 0) {
      return Fail(std::string("invalid ") + name + " at byte " + std::to_string(high_at_) +
                  ": an unpaired surrogate");
    }
  }
  return true;
}

bool DocumentDecoder::Feed(std::string_view bytes, bool last, std::string_view* out) {
  *out = {};
  if (kind_ == Kind::kFailed) return false;
  std::string joined;
  if (kind_ == Kind::kUndecided) {
    if (!head_.empty() || (bytes.size() < 4 && !last)) {
      head_.append(bytes.data(), bytes.size());
      if (head_.size() < 4 && !last) return true;
      joined.swap(head_);
      bytes = joined;
    }
    size_t skip = 0;
    if (!Decide(bytes, last, &skip)) return false;
    if (kind_ == Kind::kUndecided) {  // waiting for more of the mark
      head_.assign(bytes.data(), bytes.size());
      return true;
    }
    bytes.remove_prefix(skip);
    raw_ += skip;
  }
  bool ok;
  if (kind_ == Kind::kUtf8) {
    ok = CheckUtf8(bytes, last);
    if (!ok) {
      // The text up to the first bad byte (included: outside a string it is a syntax error).
      bytes = bad_at_ < raw_ ? std::string_view() : bytes.substr(0, bad_at_ - raw_ + 1);
    }
    *out = bytes;
    if (!joined.empty()) {
      converted_.assign(bytes.data(), bytes.size());  // `joined` ends with this call
      *out = converted_;
    }
  } else {
    ok = ConvertUtf16(bytes, last);  // on a failure, what was converted before it
    *out = converted_;
  }
  raw_ += bytes.size();
  return ok;
}

DecodedText DecodeDocument(std::string_view bytes) {
  DecodedText d;
  DocumentDecoder decoder;
  std::string_view text;
  if (!decoder.Feed(bytes, true, &text)) {
    d.error = decoder.Error();
  } else if (decoder.Encoding() == "UTF-16LE" || decoder.Encoding() == "UTF-16BE") {
    d.owned.assign(text.data(), text.size());
    d.text = d.owned;
  } else {
    d.text = text;
  }
  d.encoding = decoder.Encoding();
  return d;
}

}  // namespace gbl
