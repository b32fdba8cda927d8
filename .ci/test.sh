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

run_layer "native (ctest)" ctest --test-dir build/native --output-on-failure
run_layer "node (wasm module, dispatcher, cli)" node --test tests/node/
run_layer "browser (e2e)" node --test tests/e2e/

if ((${#failed[@]})); then
  echo "test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test: all layers passed"
