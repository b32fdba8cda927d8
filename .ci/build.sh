#!/usr/bin/env bash
# Builds the native tree (build/native), the WebAssembly module (build/wasm -> wasm/dist/) and,
# when the console's Vite config exists, the static console (web/dist).
set -euo pipefail
cd "$(dirname "$0")/.."

# The engine core must stay free of Emscripten (bindings live in wasm/ only).
emscripten_refs='#[[:space:]]*include[[:space:]]*[<"]emscripten|EMSCRIPTEN_BINDINGS|emscripten::'
if grep -rIlE "$emscripten_refs" engine/ >/dev/null 2>&1; then
  echo "build: engine/ must not use Emscripten (bindings belong in wasm/):" >&2
  grep -rInE "$emscripten_refs" engine/ >&2
  exit 1
fi

# Style: every C++ file of engine/, wasm/ and tests/ is as clang-format (.clang-format) writes it.
echo "build: format check (clang-format)"
mapfile -t cxx_files < <(git ls-files -- 'engine/*.cpp' 'engine/*.h' 'wasm/*.cpp' 'wasm/*.h' 'tests/*.cpp' 'tests/*.h' 2>/dev/null ||
  find engine wasm tests \( -name '*.cpp' -o -name '*.h' \) -print)
if ! clang-format --dry-run -Werror "${cxx_files[@]}"; then
  echo "build: C++ formatting differs from .clang-format; run: clang-format -i ${cxx_files[*]}" >&2
  exit 1
fi

# Warnings are errors in both trees (GBL_WERROR), so they cannot pile up.
echo "build: native"
cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release -DGBL_WERROR=ON
cmake --build build/native

echo "build: wasm"
# Trap 6: emcmake's default test emulator passes a flag Node 20 rejects; use plain node.
emcmake cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release -DGBL_WERROR=ON \
  -DCMAKE_CROSSCOMPILING_EMULATOR="$(command -v node)"
cmake --build build/wasm

# JSDoc types of the worker protocol and the JS glue (tsconfig.json), against the module's types
# (wasm/engine.d.mts, copied next to the built module).
echo "build: type check (tsc --noEmit --checkJs)"
npx tsc -p tsconfig.json

if [[ -f web/vite.config.js ]]; then
  echo "build: web (vite)"
  # Root web/: Vite picks up web/vite.config.js and writes web/dist.
  npx vite build web
fi
