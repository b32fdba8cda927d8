// Reading ahead of a walk over scattered records (a group's members, a preview's users).
#pragma once

#include <algorithm>
#include <cstddef>

namespace gbl {

/// Asks for the memory at an address ahead of its use. Natively this is a prefetch. WebAssembly
/// has none, so a plain load stands in: callers ask for a batch of records at once, and their
/// cache misses are then waited for together instead of one at a time. The loaded bytes are kept
/// (written out when the ReadAhead ends) so that the loads are not optimized away.
class ReadAhead {
 public:
  ReadAhead() = default;
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
  ~ReadAhead() { sink_ = sum_; }

  /// At every eighth step `n` of a walk over `size` scattered records, asks for what the next
  /// eight steps read (`near(k)`: their records came with the batch before) and for the records of
  /// the eight after them (`far(k)`), so that their cache misses overlap.
  template <typename Near, typename Far>
  void Batch(size_t n, size_t size, Near near, Far far) {
    if (n % 8 != 0) return;
    for (size_t k = n + 8; k < std::min(n + 16, size); ++k) near(k);
    for (size_t k = n + 16; k < std::min(n + 24, size); ++k) far(k);
  }

  /// Asks for every cache line of the `bytes` bytes at `p`.
  void TouchRecord(const void* p, size_t bytes) {
    const char* first = static_cast<const char*>(p);
    for (size_t at = 0; at < bytes; at += 64) Touch(first + at);
    Touch(first + bytes - 1);
  }

  /// Asks for the cache line holding `p` (null: nothing).
  void Touch(const void* p) {
    if (p == nullptr) return;
#if defined(__wasm__)
    sum_ += *static_cast<const volatile unsigned char*>(p);
#else
    __builtin_prefetch(p);
#endif
  }

 private:
  unsigned sum_ = 0;
  static inline volatile unsigned sink_ = 0;
};

}  // namespace gbl
