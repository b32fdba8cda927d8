// Result type for the engine's public API: every fallible call returns one, nothing throws out.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace gbl {

/// A failure: a stable machine code and a human message naming what is wrong and where.
struct Error {
  /// Stable code: ParseError, SchemaError, NotFound, BadRequest, Conflict, Cancelled, Internal.
  std::string code;
  /// Readable message, e.g. `users[12].assignedLicenses[0].skuId: unknown skuId "..."`.
  std::string message;
};

/// The text with its control characters (U+0000-U+001F, U+007F) written as \u00XX escapes, so
/// a message that quotes input prints whole (a NUL would end a C string).
inline std::string PrintableText(std::string text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t controls = 0;
  for (char c : text) controls += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? 1 : 0;
  if (controls == 0) return text;
  std::string out;
  out.reserve(text.size() + controls * 5);
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) {
      out += "\\u00";
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

/// Either a value or an Error; never throws.
template <typename T>
class [[nodiscard]] Result {
 public:
  /// Wraps a successful value.
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// Wraps a failure; its message is made printable (PrintableText).
  Result(Error error)  // NOLINT(google-explicit-constructor)
      : data_(Error{std::move(error.code), PrintableText(std::move(error.message))}) {}

  /// True when the call succeeded.
  bool Ok() const { return data_.index() == 0; }
  /// The value; only valid when Ok().
  const T& Value() const { return *std::get_if<0>(&data_); }
  /// The value, movable; only valid when Ok().
  T& Value() { return *std::get_if<0>(&data_); }
  /// The error; only valid when !Ok().
  const Error& GetError() const { return *std::get_if<1>(&data_); }

 private:
  std::variant<T, Error> data_;
};

/// Result of a call with no value.
struct Unit {};

}  // namespace gbl
