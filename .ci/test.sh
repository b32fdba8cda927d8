#!/usr/bin/env bash
# npm test: set-up, build, then every test layer. All layers run; the script fails if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
bash .ci/build.sh

failed=()
run_layer() {
  local name=$1
  shift
  echo "test: $name"
  if ! "$@"; then
    failed+=("$name")
  fi
}

# Each layer has a time limit, so a test process that never exits fails the run instead of hanging it.
run_layer "native (ctest)" timeout --kill-after=30 1200 ctest --test-dir build/native --output-on-failure
run_layer "node (wasm module, dispatcher, cli)" timeout --kill-after=30 1200 node --test tests/node/
run_layer "browser (e2e)" timeout --kill-after=30 1800 node --test tests/e2e/

if ((${#failed[@]})); then
  echo "test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test: all layers passed"
