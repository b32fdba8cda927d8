// A small streaming JSON writer for large documents (no DOM), never throws.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace gbl {

/// Appends JSON text to a string; the caller nests Begin/End calls correctly.
///
/// The writer keeps `out` longer than the text (room to write into without a check per byte), so
/// `Sync()` must be called before `out` is read, and `Resume()` after the caller changed it.
class JsonWriter {
 public:
  /// Writes into out (appending).
  explicit JsonWriter(std::string* out) : out_(*out), pos_(out->size()) { first_.reserve(16); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;
  ~JsonWriter() { Sync(); }

  /// Makes `out` hold exactly the text written so far.
  void Sync() { out_.resize(pos_); }
  /// Goes on writing at the end of `out`, after the caller emptied or changed it.
  void Resume() { pos_ = out_.size(); }
  /// Bytes written into `out` so far (its size after Sync).
  size_t Size() const { return pos_; }
  /// Writes on from the start of `out` again, keeping its room (after the text was taken).
  void Restart() { pos_ = 0; }

  /// Opens an object (as a value).
  void BeginObject() { Open('{'); }
  /// Closes an object.
  void EndObject() { Close('}'); }
  /// Opens an array (as a value).
  void BeginArray() { Open('['); }
  /// Closes an array.
  void EndArray() { Close(']'); }
  /// Writes a member name known at compile time (plain ASCII, never escaped).
  template <size_t N>
  void Key(const char (&k)[N]) {
    Sep();
    char* p = Room(N + 2);
    p[0] = '"';
    std::memcpy(p + 1, k, N - 1);
    p[N] = '"';
    p[N + 1] = ':';
    pos_ += N + 2;
    after_key_ = true;
  }
  /// Writes a member name; the next call writes its value.
  void Key(std::string_view k) {
    Sep();
    Quote(k);
    Put(':');
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
    char* p = Room(24);
    pos_ += static_cast<size_t>(WriteInt(p, v) - p);
  }
  /// Writes a boolean value.
  void Bool(bool v) {
    Value();
    if (v)
      Append("true", 4);
    else
      Append("false", 5);
  }
  /// Writes null.
  void Null() {
    Value();
    Append("null", 4);
  }
  /// Writes `prefix`, `text` as a JSON string, then `suffix` as one value (prefix and suffix are
  /// JSON already, e.g. an object around one string member).
  void QuotedIn(std::string_view prefix, std::string_view text, std::string_view suffix) {
    Value();
    Append(prefix.data(), prefix.size());
    Quote(text);
    Append(suffix.data(), suffix.size());
  }
  /// Writes already-serialised JSON as a value.
  void Raw(std::string_view json) {
    Value();
    Append(json.data(), json.size());
  }

  /// Key + string.
  template <size_t N>
  void Field(const char (&k)[N], std::string_view v) {
    Key(k);
    String(v);
  }
  /// Key + a string the caller knows needs no escape (a name from one of the engine's tables).
  template <size_t N>
  void PlainField(const char (&k)[N], std::string_view v) {
    Key(k);
    Value();
    char* p = Room(v.size() + 2);
    *p++ = '"';
    std::memcpy(p, v.data(), v.size());
    p[v.size()] = '"';
    pos_ += v.size() + 2;
  }
  /// Key + integer.
  template <size_t N>
  void Field(const char (&k)[N], int64_t v) {
    Key(k);
    Int(v);
  }
  /// Key + boolean.
  template <size_t N>
  void FieldBool(const char (&k)[N], bool v) {
    Key(k);
    Bool(v);
  }

  /// Escapes a string as a JSON string literal (invalid UTF-8 bytes become U+FFFD).
  static void AppendQuoted(std::string* out, std::string_view s);
  /// Writes `s` escaped (no quotes) at p, which has room for 6 bytes per byte of s; returns the
  /// end of what was written.
  static char* Escape(char* p, std::string_view s);

 private:
  static char* WriteInt(char* p, int64_t v);
  char* Room(size_t n) {
    if (out_.size() - pos_ < n) Grow(n);
    return &out_[pos_];
  }
  void Grow(size_t n);
  void Put(char c) {
    *Room(1) = c;
    ++pos_;
  }
  void Append(const char* s, size_t n) {
    std::memcpy(Room(n), s, n);
    pos_ += n;
  }
  void Quote(std::string_view s);
  void Open(char c) {
    Value();
    Put(c);
    first_.push_back(1);
  }
  void Close(char c) {
    Put(c);
    first_.pop_back();
  }
  void Sep() {
    if (!first_.empty()) {
      if (!first_.back()) Put(',');
      first_.back() = 0;
    }
  }
  void Value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    Sep();
  }

  std::string& out_;
  size_t pos_;                  // the text's end; out_ beyond it is room
  std::vector<uint8_t> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace gbl
