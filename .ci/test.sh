#!/usr/bin/env bash
# npm test: set-up, build, then every test layer. All layers run; the script fails if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
bash .ci/build.sh

# The browser tests write the main thread's longest task per phase here (figures, not pass/fail).
rm -f build/e2e-report/main-thread.jsonl

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
run_layer "sanitizers (GoogleTest under ASan + UBSan) and fuzzing (fixed runs)" timeout --kill-after=30 1800 bash .ci/sanitize.sh
run_layer "node (wasm module, dispatcher, cli)" timeout --kill-after=30 1200 node --test tests/node/
run_layer "browser (e2e)" timeout --kill-after=30 1800 node --test tests/e2e/

if [[ -s build/e2e-report/main-thread.jsonl ]]; then
  echo "main thread, tasks over 50 ms per phase of the browser tests (target: none; a figure, never pass/fail):"
  node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) { const e = JSON.parse(l); console.log(`  ${e.over50ms ? `${e.over50ms} over 50 ms, the longest ${e.longestMs} ms` : "none over 50 ms"}: ${e.phase}`); }' build/e2e-report/main-thread.jsonl
fi

if ((${#failed[@]})); then
  echo "test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test: all layers passed"
