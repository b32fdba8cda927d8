// The module's operator new and delete: blocks of up to 128 bytes (the model's strings and small
// vectors: a user's id, name, address list, group list) come from 64 KiB slabs of one size each
// (malloc gives them 32 at a time); anything larger goes to malloc. A load makes and a replaced
// tenant frees millions of such blocks; taking one from, or putting it back in, its size's array
// of freed blocks is several times cheaper than dlmalloc's bins. Slabs are never returned: a freed
// block serves the next request of its size. small_blocks.h tells the leak checks how many bytes
// are in use.
#include "small_blocks.h"

#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr size_t kSlabBytes = 64 << 10;
constexpr unsigned kSlabShift = 16;
static_assert(size_t{1} << kSlabShift == kSlabBytes, "slab size and shift agree");
constexpr size_t kGranule = 8;  // __STDCPP_DEFAULT_NEW_ALIGNMENT__ in wasm32
constexpr size_t kMaxSmall = 128;
constexpr size_t kClasses = kMaxSmall / kGranule + 1;  // class c holds blocks of c * 8 bytes

/// The freed blocks of one size are kept in an array, not linked through the blocks: a block is
/// not read when it is freed or handed out again (a list through freed blocks costs a cache miss
/// per allocation, one after the other, when a replaced tenant's blocks are reused).
struct SizeClass {
  void** free = nullptr;  ///< freed blocks of this size (malloc'd array)
  size_t free_count = 0;
  size_t free_cap = 0;   ///< at least every block carved so far: a free never needs room
  char* bump = nullptr;  ///< the newest slab's next unused block
  char* end = nullptr;   ///< the newest slab's end
  size_t carved = 0;     ///< blocks in this class's slabs
};

/// Slabs are carved from 2 MiB batches: one aligned malloc per slab would leave up to a slab's
/// size unused before each.
constexpr size_t kBatchSlabs = 32;
char* batch_next = nullptr;
char* batch_end = nullptr;

SizeClass classes[kClasses];
/// The size class of each 64 KiB of the 4 GiB address space that is one of our slabs (0: not one).
uint8_t slab_class[size_t{1} << (32 - kSlabShift)];
size_t slab_bytes = 0;   // bytes malloc counts in use for the slabs' batches and free arrays
size_t small_bytes = 0;  // bytes in blocks handed out and not freed

char* NewSlab() {
  if (batch_next == batch_end) {
    void* raw = std::malloc(kBatchSlabs * kSlabBytes + kSlabBytes - kGranule);
    if (raw == nullptr) return nullptr;
    // What malloc counts in use for it: the usable bytes and the chunk's size word.
    slab_bytes += malloc_usable_size(raw) + sizeof(size_t);
    const uintptr_t aligned =
        (reinterpret_cast<uintptr_t>(raw) + kSlabBytes - 1) & ~(kSlabBytes - 1);
    batch_next = reinterpret_cast<char*>(aligned);
    batch_end = batch_next + kBatchSlabs * kSlabBytes;
  }
  char* slab = batch_next;
  batch_next += kSlabBytes;
  return slab;
}

/// Makes room for `blocks` freed blocks in a size class; false when malloc has none.
bool GrowFree(SizeClass* sc, size_t blocks) {
  if (blocks <= sc->free_cap) return true;
  const size_t cap = std::max(blocks, 2 * sc->free_cap);
  const size_t before = sc->free == nullptr ? 0 : malloc_usable_size(sc->free) + sizeof(size_t);
  void* grown = std::realloc(sc->free, cap * sizeof(void*));
  if (grown == nullptr) return false;
  sc->free = static_cast<void**>(grown);
  sc->free_cap = cap;
  slab_bytes += malloc_usable_size(grown) + sizeof(size_t) - before;
  return true;
}

void* NewSmall(size_t size) {
  const size_t c = (size + kGranule - 1) / kGranule;
  SizeClass& sc = classes[c];
  const size_t block = c * kGranule;
  void* out;
  if (sc.free_count != 0) {
    out = sc.free[--sc.free_count];
  } else {
    if (sc.bump == nullptr || static_cast<size_t>(sc.end - sc.bump) < block) {
      // Room to free every block of the new slab too, made before any is handed out.
      const size_t carved = sc.carved + kSlabBytes / block;
      if (!GrowFree(&sc, carved)) return nullptr;
      char* slab = NewSlab();
      if (slab == nullptr) return nullptr;
      sc.carved = carved;
      slab_class[reinterpret_cast<uintptr_t>(slab) >> kSlabShift] = static_cast<uint8_t>(c);
      sc.bump = slab;
      sc.end = slab + kSlabBytes;
    }
    out = sc.bump;
    sc.bump += block;
  }
  small_bytes += block;
  return out;
}

void* New(size_t size) {
  if (size == 0) size = 1;
  void* p = size <= kMaxSmall ? NewSmall(size) : std::malloc(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void Delete(void* p) noexcept {
  if (p == nullptr) return;
  const uint8_t c = slab_class[reinterpret_cast<uintptr_t>(p) >> kSlabShift];
  if (c == 0) {
    std::free(p);
    return;
  }
  SizeClass& sc = classes[c];
  sc.free[sc.free_count++] = p;  // room made when its slab was
  small_bytes -= c * kGranule;
}

}  // namespace

namespace gbl_wasm {

size_t SmallBlockSlabBytes() { return slab_bytes; }
size_t SmallBlockBytesInUse() { return small_bytes; }

}  // namespace gbl_wasm

void* operator new(size_t size) { return New(size); }
void* operator new[](size_t size) { return New(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  if (size == 0) size = 1;
  return size <= kMaxSmall ? NewSmall(size) : std::malloc(size);
}
void* operator new[](size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { Delete(p); }
void operator delete[](void* p) noexcept { Delete(p); }
void operator delete(void* p, size_t) noexcept { Delete(p); }
void operator delete[](void* p, size_t) noexcept { Delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Delete(p); }
