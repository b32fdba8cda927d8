// A strict, fast pull reader for large JSON documents; reports byte offsets, never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gbl {

/// True when a member name is `name` in any letter case (Graph's camelCase, PowerShell's
/// PascalCase).
inline bool NameIs(std::string_view key, std::string_view name) {
  if (key.size() != name.size()) return false;
  // Eight bytes at a time while the case matches too (the usual case: Graph's own spelling).
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t a, b;
    std::memcpy(&a, key.data() + i, 8);
    std::memcpy(&b, name.data() + i, 8);
    if (a != b) break;
  }
  for (; i < key.size(); ++i) {
    char a = key[i], b = name[i];
    if (a == b) continue;
    if ((a | 0x20) != (b | 0x20) || (a | 0x20) < 'a' || (a | 0x20) > 'z') return false;
  }
  return true;
}

/// True when the n bytes at a and b are the same (eight at a time; n is a member name's length).
inline bool SameBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);  // the last eight, overlapping the words above
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

/// The deepest nesting of arrays and objects any entry point reads (documents, batches, queries).
inline constexpr int kMaxJsonDepth = 512;

/// Kind of the next JSON value.
enum class JsonType { kNull, kBool, kNumber, kString, kArray, kObject, kInvalid };

/// Reads a JSON text value by value. After the first failure every call returns false and
/// Failed() / Message() / Offset() tell what and where.
class JsonReader {
 public:
  /// Reads `text`; the reader keeps a view, the text must outlive it.
  explicit JsonReader(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  /// Type of the next value (whitespace skipped); kInvalid at a syntax error or end of input.
  JsonType Peek() {
    if (failed_) return JsonType::kInvalid;
    SkipWs();
    if (p_ >= end_) return JsonType::kInvalid;
    switch (*p_) {
      case 'n':
        return JsonType::kNull;
      case 't':
      case 'f':
        return JsonType::kBool;
      case '"':
        return JsonType::kString;
      case '[':
        return JsonType::kArray;
      case '{':
        return JsonType::kObject;
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return JsonType::kNumber;
        return JsonType::kInvalid;
    }
  }
  /// Reads a string value into out (escapes decoded).
  bool ReadString(std::string* out);
  /// Reads a string, or null as an empty string with *was_null set.
  bool ReadStringOrNull(std::string* out, bool* was_null);
  /// Reads a string as a view: into the text when it has no escapes, else decoded into
  /// `scratch` (the view lasts while both do).
  bool ReadStringView(std::string_view* out, std::string* scratch);
  /// When the next value is a string of exactly n bytes between its quotes, those bytes (not
  /// read yet, and not checked: the caller checks them, then calls SkipQuoted(n)); else false.
  bool PeekQuoted(size_t n, std::string_view* out) {
    if (failed_) return false;
    SkipWs();
    if (static_cast<size_t>(end_ - p_) < n + 2 || p_[0] != '"' || p_[n + 1] != '"') return false;
    *out = std::string_view(p_ + 1, n);
    return true;
  }
  /// Moves past the string PeekQuoted(n) gave (the caller found no quote, backslash or control
  /// character in it).
  void SkipQuoted(size_t n) { p_ += n + 2; }
  /// Reads a boolean.
  bool ReadBool(bool* out);
  /// Reads an integer number (a fractional or out-of-range number fails).
  bool ReadInt(int64_t* out);
  /// Reads a number's text as it stands (syntax checked).
  bool ReadNumberText(std::string_view* out);
  /// Reads null.
  bool ReadNull();
  /// Skips any value, checking its syntax.
  bool Skip();
  /// Skips a value and returns its exact text.
  bool Capture(std::string_view* out);

  /// Starts an object; then call NextKey until it returns false.
  bool BeginObject();
  /// Reads the next key of the current object; false at '}' (check Failed()).
  bool NextKey(std::string* key);
  /// Same, as a view: into the text when the name has no escapes, else decoded into `scratch`.
  bool NextKey(std::string_view* key, std::string* scratch);
  /// Reads the next member name and its ':' when the name is exactly `name` (the same case, no
  /// escapes); reads nothing and returns false otherwise (then NextKey reads whatever it is).
  bool TryKey(std::string_view name) {
    if (failed_) return false;
    const char* q = SkipWsFrom(p_);
    if (!first_) {
      if (q >= end_ || *q != ',') return false;
      q = SkipWsFrom(q + 1);
    }
    const size_t n = name.size();
    if (static_cast<size_t>(end_ - q) < n + 3 || q[0] != '"' || q[n + 1] != '"') return false;
    if (!SameBytes(q + 1, name.data(), n)) return false;
    q = SkipWsFrom(q + n + 2);
    if (q >= end_ || *q != ':') return false;
    p_ = q + 1;
    first_ = false;
    return true;
  }
  /// True when the next character (after whitespace) is '}'.
  bool AtObjectEnd() {
    SkipWs();
    return p_ < end_ && *p_ == '}';
  }
  /// Reads `[]` (whitespace allowed inside) when it is the next value; false, reading nothing,
  /// when the next value is anything else.
  bool ReadEmptyArray() {
    if (failed_) return false;
    SkipWs();
    const char* q = p_;
    if (q >= end_ || *q != '[') return false;
    q = SkipWsFrom(q + 1);
    if (q >= end_ || *q != ']') return false;
    p_ = q + 1;
    return true;
  }
  /// Starts an array; then call NextElement until it returns false.
  bool BeginArray();
  /// Moves to the next element of the current array; false at ']' (check Failed()).
  bool NextElement();
  /// Continues inside an object or array another reader began: `first` when none of its
  /// members or elements was read yet (then NextKey / NextElement expect no comma).
  void Resume(bool first) { first_ = first; }
  /// Checks that only whitespace is left.
  bool End();

  /// True after a syntax or type error.
  bool Failed() const { return failed_; }
  /// What went wrong.
  const std::string& Message() const { return message_; }
  /// Byte offset of the failure (or the current position).
  size_t Offset() const { return static_cast<size_t>(p_ - begin_); }
  /// Byte offset of the current position.
  size_t Position() const { return static_cast<size_t>(p_ - begin_); }
  /// Records a failure at the current position.
  bool Fail(std::string message);

 private:
  // Inline: every token goes through these (the reader's per-token cost in the loader).
  void SkipWs() { p_ = SkipWsFrom(p_); }
  /// The first byte at or after q that is not JSON whitespace.
  const char* SkipWsFrom(const char* q) const {
    while (q < end_ && (*q == ' ' || *q == '\n' || *q == '\r' || *q == '\t')) ++q;
    return q;
  }
  bool Expect(char c, const char* what) {
    if (failed_) return false;
    SkipWs();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return ExpectFailed(what);
  }
  bool ExpectFailed(const char* what);
  bool BeginKey();
  bool ParseStringBody(std::string* out);
  bool SkipNumber();
  bool SkipLiteral(const char* word);

  const char* begin_;
  const char* p_;
  const char* end_;
  bool failed_ = false;
  bool first_ = false;  // the next member/element is the first of its container
  std::string message_;
};

}  // namespace gbl
