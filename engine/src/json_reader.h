// A strict, fast pull reader for large JSON documents; reports byte offsets, never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gbl {

/// True when a member name is `name` in any letter case (Graph's camelCase, PowerShell's
/// PascalCase).
inline bool NameIs(std::string_view key, std::string_view name) {
  if (key.size() != name.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char a = key[i], b = name[i];
    if (a == b) continue;
    if ((a | 0x20) != (b | 0x20) || (a | 0x20) < 'a' || (a | 0x20) > 'z') return false;
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
  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
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
