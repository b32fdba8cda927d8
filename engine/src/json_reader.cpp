// Strict JSON pull reader: RFC 8259 syntax, UTF-16 escapes decoded to UTF-8.
#include "json_reader.h"

#include <cstdio>
#include <cstring>

#include "plain_text.h"
#include "text_encoding.h"

namespace gbl {

bool JsonReader::Fail(std::string message) {
  if (!failed_) {
    failed_ = true;
    message_ = std::move(message);
  }
  return false;
}

bool JsonReader::ExpectFailed(const char* what) {
  if (p_ >= end_) return Fail(std::string("unexpected end of input, expected ") + what);
  return Fail(std::string("expected ") + what);
}

// p_ is just past the opening quote.
bool JsonReader::ParseStringBody(std::string* out) {
  if (out) out->clear();
  for (;;) {
    const char* start = p_;
    p_ += PlainBytes(p_, static_cast<size_t>(end_ - p_), false);
    if (out) out->append(start, static_cast<size_t>(p_ - start));
    if (p_ >= end_) return Fail("unterminated string");
    char c = *p_;
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c != '\\') return Fail("control character in string");
    ++p_;
    if (p_ >= end_) return Fail("unterminated string");
    char e = *p_++;
    switch (e) {
      case '"':
        if (out) out->push_back('"');
        break;
      case '\\':
        if (out) out->push_back('\\');
        break;
      case '/':
        if (out) out->push_back('/');
        break;
      case 'b':
        if (out) out->push_back('\b');
        break;
      case 'f':
        if (out) out->push_back('\f');
        break;
      case 'n':
        if (out) out->push_back('\n');
        break;
      case 'r':
        if (out) out->push_back('\r');
        break;
      case 't':
        if (out) out->push_back('\t');
        break;
      case 'u': {
        // Four hex digits; a failure stands at the first character that is not one (or at the
        // end of the text), so the offset does not depend on how much text follows: a streamed
        // load whose piece ends there names the same byte as the whole document.
        auto hex4 = [&](uint32_t* v) {
          uint32_t r = 0;
          for (int i = 0; i < 4; ++i, ++p_) {
            if (p_ >= end_) return false;
            const char h = *p_;
            r <<= 4;
            if (h >= '0' && h <= '9')
              r |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
              r |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              r |= static_cast<uint32_t>(h - 'A' + 10);
            else
              return false;
          }
          *v = r;
          return true;
        };
        // A surrogate escape must be a high and a low half together: a lone half is not a
        // character and cannot be written as UTF-8 (RFC 8259 section 8.2, I-JSON).
        const char* escape = p_ - 2;
        uint32_t cp;
        if (!hex4(&cp)) return Fail("invalid \\u escape");
        auto lone = [&](uint32_t half) {
          p_ = escape;
          char hex[8];
          std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(half));
          return Fail(std::string("a lone UTF-16 surrogate \\u") + hex +
                      " in a string (not a character)");
        };
        if (cp >= 0xDC00 && cp <= 0xDFFF) return lone(cp);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // Only the two characters that say whether a low half follows are looked at here
          // (not how much text is left after them: see hex4).
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return lone(cp);
          p_ += 2;
          uint32_t lo;
          if (!hex4(&lo)) return Fail("invalid \\u escape");
          if (lo < 0xDC00 || lo > 0xDFFF) return lone(cp);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (out) AppendUtf8(out, cp);
        break;
      }
      default:
        --p_;
        return Fail("invalid escape in string");
    }
  }
}

bool JsonReader::ReadString(std::string* out) {
  if (Peek() != JsonType::kString) return failed_ ? false : Fail("expected a string");
  ++p_;
  return ParseStringBody(out);
}

bool JsonReader::ReadStringView(std::string_view* out, std::string* scratch) {
  if (Peek() != JsonType::kString) return failed_ ? false : Fail("expected a string");
  const char* start = ++p_;
  const size_t plain = PlainBytes(p_, static_cast<size_t>(end_ - p_), false);
  if (p_ + plain < end_ && p_[plain] == '"') {
    p_ += plain + 1;
    *out = std::string_view(start, plain);
    return true;
  }
  if (!ParseStringBody(scratch)) return false;
  *out = *scratch;
  return true;
}

bool JsonReader::ReadStringOrNull(std::string* out, bool* was_null) {
  JsonType t = Peek();
  if (t == JsonType::kNull) {
    *was_null = true;
    out->clear();
    return ReadNull();
  }
  *was_null = false;
  return ReadString(out);
}

bool JsonReader::SkipLiteral(const char* word) {
  size_t n = std::strlen(word);
  if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
    return Fail("invalid literal");
  }
  p_ += n;
  return true;
}

bool JsonReader::ReadBool(bool* out) {
  if (Peek() != JsonType::kBool) return failed_ ? false : Fail("expected true or false");
  if (*p_ == 't') {
    *out = true;
    return SkipLiteral("true");
  }
  *out = false;
  return SkipLiteral("false");
}

bool JsonReader::ReadNull() {
  if (Peek() != JsonType::kNull) return failed_ ? false : Fail("expected null");
  return SkipLiteral("null");
}

bool JsonReader::SkipNumber() {
  const char* s = p_;
  if (p_ < end_ && *p_ == '-') ++p_;
  if (p_ >= end_) return Fail("invalid number");
  if (*p_ == '0') {
    ++p_;
  } else if (*p_ >= '1' && *p_ <= '9') {
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  } else {
    return Fail("invalid number");
  }
  if (p_ < end_ && *p_ == '.') {
    ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return Fail("invalid number");
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return Fail("invalid number");
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  }
  (void)s;
  return true;
}

bool JsonReader::ReadNumberText(std::string_view* out) {
  if (Peek() != JsonType::kNumber) return failed_ ? false : Fail("expected a number");
  const char* s = p_;
  if (!SkipNumber()) return false;
  *out = std::string_view(s, static_cast<size_t>(p_ - s));
  return true;
}

bool JsonReader::ReadInt(int64_t* out) {
  if (Peek() != JsonType::kNumber) return failed_ ? false : Fail("expected a number");
  const char* s = p_;
  bool neg = *s == '-';
  if (!SkipNumber()) return false;
  int64_t v = 0;
  for (const char* q = s + (neg ? 1 : 0); q < p_; ++q) {
    if (*q < '0' || *q > '9') {
      p_ = s;
      return Fail("expected an integer");
    }
    if (v > (INT64_MAX - 9) / 10) {
      p_ = s;
      return Fail("integer out of range");
    }
    v = v * 10 + (*q - '0');
  }
  *out = neg ? -v : v;
  return true;
}

bool JsonReader::BeginObject() {
  if (!Expect('{', "'{'")) return false;
  first_ = true;
  return true;
}

// Shared start of both NextKey forms: true with p_ just past the name's opening quote.
bool JsonReader::BeginKey() {
  if (failed_) return false;
  SkipWs();
  if (p_ >= end_) return Fail("unexpected end of input in object");
  if (*p_ == '}') {
    ++p_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (*p_ != ',') return Fail("expected ',' or '}'");
    ++p_;
    SkipWs();
  }
  first_ = false;
  if (p_ >= end_ || *p_ != '"') return Fail("expected a member name");
  ++p_;
  return true;
}

bool JsonReader::NextKey(std::string* key) {
  if (!BeginKey()) return false;
  if (!ParseStringBody(key)) return false;
  return Expect(':', "':'");
}

bool JsonReader::NextKey(std::string_view* key, std::string* scratch) {
  if (!BeginKey()) return false;
  const char* start = p_;
  const size_t plain = PlainBytes(p_, static_cast<size_t>(end_ - p_), false);
  if (p_ + plain < end_ && p_[plain] == '"') {
    p_ += plain + 1;
    *key = std::string_view(start, plain);
  } else {
    if (!ParseStringBody(scratch)) return false;
    *key = *scratch;
  }
  return Expect(':', "':'");
}

bool JsonReader::BeginArray() {
  if (!Expect('[', "'['")) return false;
  first_ = true;
  return true;
}

bool JsonReader::NextElement() {
  if (failed_) return false;
  SkipWs();
  if (p_ >= end_) return Fail("unexpected end of input in array");
  if (*p_ == ']') {
    ++p_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (*p_ != ',') return Fail("expected ',' or ']'");
    ++p_;
  }
  first_ = false;
  SkipWs();
  if (p_ < end_ && *p_ == ']') return Fail("trailing comma in array");
  return true;
}

bool JsonReader::Skip() {
  // Iterative: a depth counter keeps deep documents from overflowing the (wasm) stack.
  int depth = 0;
  char stack[kMaxJsonDepth];
  for (;;) {
    if (failed_) return false;
    SkipWs();
    if (p_ >= end_) return Fail("unexpected end of input");
    char c = *p_;
    if (c == '{' || c == '[') {
      if (depth == static_cast<int>(sizeof stack)) return Fail("nesting too deep");
      stack[depth++] = c;
      ++p_;
      SkipWs();
      if (p_ < end_ && *p_ == (c == '{' ? '}' : ']')) {
        ++p_;
        --depth;
      } else {
        if (c == '{') {
          if (p_ >= end_ || *p_ != '"') return Fail("expected a member name");
          ++p_;
          if (!ParseStringBody(nullptr) || !Expect(':', "':'")) return false;
        }
        continue;
      }
    } else if (c == '"') {
      ++p_;
      if (!ParseStringBody(nullptr)) return false;
    } else if (c == 't') {
      if (!SkipLiteral("true")) return false;
    } else if (c == 'f') {
      if (!SkipLiteral("false")) return false;
    } else if (c == 'n') {
      if (!SkipLiteral("null")) return false;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (!SkipNumber()) return false;
    } else {
      return Fail("unexpected character");
    }
    // After a value: close containers or move to the next item.
    for (;;) {
      if (depth == 0) return true;
      SkipWs();
      if (p_ >= end_) return Fail("unexpected end of input");
      char top = stack[depth - 1];
      if (*p_ == ',') {
        ++p_;
        if (top == '{') {
          SkipWs();
          if (p_ >= end_ || *p_ != '"') return Fail("expected a member name");
          ++p_;
          if (!ParseStringBody(nullptr) || !Expect(':', "':'")) return false;
        }
        break;
      }
      if (*p_ == (top == '{' ? '}' : ']')) {
        ++p_;
        --depth;
        continue;
      }
      return Fail(top == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
}

bool JsonReader::Capture(std::string_view* out) {
  SkipWs();
  const char* s = p_;
  if (!Skip()) return false;
  *out = std::string_view(s, static_cast<size_t>(p_ - s));
  return true;
}

bool JsonReader::End() {
  if (failed_) return false;
  SkipWs();
  if (p_ != end_) return Fail("unexpected data after the document");
  return true;
}

}  // namespace gbl
