// A small streaming JSON writer for large documents (no DOM), never throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gbl {

/// Appends JSON text to a string; the caller nests Begin/End calls correctly.
class JsonWriter {
 public:
  /// Writes into out (appending).
  explicit JsonWriter(std::string* out) : out_(*out) {}

  /// Opens an object (as a value).
  void BeginObject() {
    Value();
    out_.push_back('{');
    first_.push_back(true);
  }
  /// Closes an object.
  void EndObject() {
    out_.push_back('}');
    first_.pop_back();
  }
  /// Opens an array (as a value).
  void BeginArray() {
    Value();
    out_.push_back('[');
    first_.push_back(true);
  }
  /// Closes an array.
  void EndArray() {
    out_.push_back(']');
    first_.pop_back();
  }
  /// Writes a member name; the next call writes its value.
  void Key(std::string_view k) {
    Sep();
    Quote(k);
    out_.push_back(':');
    after_key_ = true;
  }
  /// Writes a string value.
  void String(std::string_view s) {
    Value();
    Quote(s);
  }
  /// Writes a string value, or null when empty.
  void StringOrNull(std::string_view s) {
    if (s.empty())
      Null();
    else
      String(s);
  }
  /// Writes an integer value.
  void Int(int64_t v) {
    Value();
    out_ += std::to_string(v);
  }
  /// Writes a boolean value.
  void Bool(bool v) {
    Value();
    out_ += v ? "true" : "false";
  }
  /// Writes null.
  void Null() {
    Value();
    out_ += "null";
  }
  /// Writes `prefix`, `text` as a JSON string, then `suffix` as one value (prefix and suffix are
  /// JSON already, e.g. an object around one string member).
  void QuotedIn(std::string_view prefix, std::string_view text, std::string_view suffix) {
    Value();
    out_.append(prefix.data(), prefix.size());
    AppendQuoted(&out_, text);
    out_.append(suffix.data(), suffix.size());
  }
  /// Writes already-serialised JSON as a value.
  void Raw(std::string_view json) {
    Value();
    out_.append(json.data(), json.size());
  }

  /// Key + string.
  void Field(std::string_view k, std::string_view v) {
    Key(k);
    String(v);
  }
  /// Key + integer.
  void Field(std::string_view k, int64_t v) {
    Key(k);
    Int(v);
  }
  /// Key + boolean.
  void FieldBool(std::string_view k, bool v) {
    Key(k);
    Bool(v);
  }

  /// Escapes a string as a JSON string literal (invalid UTF-8 bytes become U+FFFD).
  static void AppendQuoted(std::string* out, std::string_view s);

 private:
  void Sep() {
    if (!first_.empty()) {
      if (!first_.back()) out_.push_back(',');
      first_.back() = false;
    }
  }
  void Value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    Sep();
  }
  void Quote(std::string_view s) { AppendQuoted(&out_, s); }

  std::string& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace gbl
