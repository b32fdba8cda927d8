// The module's small-block allocator (small_blocks.cpp): what the leak checks read of it.
#pragma once

#include <cstddef>

namespace gbl_wasm {

/// Bytes malloc gave the small-block slabs (counted by malloc as in use, whether or not handed
/// out).
size_t SmallBlockSlabBytes();
/// Bytes in small blocks handed out and not yet freed.
size_t SmallBlockBytesInUse();

}  // namespace gbl_wasm
