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

/// Either a value or an Error; never throws.
template <typename T>
class [[nodiscard]] Result {
 public:
  /// Wraps a successful value.
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// Wraps a failure.
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

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
