// The bytes of a JSON string that need no care, found eight at a time: shared by the reader, the
// writer and the streamed loader's completeness scan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gbl {

/// The high bit of each of the eight bytes of `w` that is a quote, backslash or control character
/// (or, with `stop_at_high`, 0x80 or above), plus possibly bits above the first such byte: the
/// lowest set bit always marks the first special byte (little-endian: the first in memory).
inline uint64_t SpecialBytes(uint64_t w, bool stop_at_high) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const uint64_t quote = w ^ (kOnes * '"'), slash = w ^ (kOnes * '\\');
  uint64_t special =
      ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash) | ((w - kOnes * 0x20) & ~w);
  if (stop_at_high) special |= w;
  return special & kHigh;
}

/// True when none of the eight bytes of `w` is a quote, backslash or control character, nor,
/// with `stop_at_high`, 0x80 or above.
inline bool PlainWord(uint64_t w, bool stop_at_high) { return SpecialBytes(w, stop_at_high) == 0; }

/// How many bytes from `p` (at most `n`) come before the first quote, backslash or control
/// character, or, with `stop_at_high`, the first byte of 0x80 or above (a UTF-8 sequence).
inline size_t PlainBytes(const char* p, size_t n, bool stop_at_high) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the first byte is the lowest");
  size_t i = 0;
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (const uint64_t special = SpecialBytes(w, stop_at_high)) {
      return i + static_cast<size_t>(__builtin_ctzll(special)) / 8;
    }
    i += 8;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == '"' || c == '\\' || c < 0x20 || (stop_at_high && c >= 0x80)) break;
  }
  return i;
}

}  // namespace gbl
