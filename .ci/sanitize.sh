#!/usr/bin/env bash
# The GoogleTest suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang), then each
# libFuzzer harness of tests/fuzz over its regression inputs and seed corpus and for a fixed number
# of runs from a fixed seed (never a time), on a scratch copy of the corpus: the same inputs on
# every run.
# Long campaign (README, "Fuzzing"): FUZZ_SECONDS=1800 bash .ci/sanitize.sh campaign
set -euo pipefail
cd "$(dirname "$0")/.."

echo "sanitize: build (clang, ASan + UBSan, libFuzzer)"
CC=clang CXX=clang++ cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DGBL_WERROR=ON -DGBL_FUZZ=ON >/dev/null
cmake --build build/sanitize --target engine_tests load_fuzz batch_fuzz query_fuzz rule_fuzz

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Runs per harness for CI: each takes well under a minute here.
declare -A runs=([load]=8000 [batch]=4000 [query]=200000 [rule]=200000)
# The rule harness has its own dictionary (rule.dict); the others share Graph's names (graph.dict).
dict_of() { if [[ -f tests/fuzz/$1.dict ]]; then echo "tests/fuzz/$1.dict"; else echo tests/fuzz/graph.dict; fi; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [[ ${1:-} == campaign ]]; then
  seconds=${FUZZ_SECONDS:-1800}
  for h in load batch query rule; do
    mkdir -p "build/fuzz-corpus/$h"
    echo "sanitize: campaign $h for $seconds s (corpus build/fuzz-corpus/$h)"
    build/sanitize/tests/fuzz/${h}_fuzz -dict="$(dict_of $h)" -max_len=16384 \
      -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="build/fuzz-corpus/$h-" \
      "build/fuzz-corpus/$h" "tests/fuzz/corpus/$h" &
  done
  wait
  exit 0
fi

# The fixed runs explore the same inputs on every run, in every checkout folder, on every machine of
# this kind: libFuzzer's once-a-second corpus reload and allocator purge are off (both made runs from
# the same seed part ways after a second or two); its table of compared values is off (-use_cmp=0:
# comparisons of heap addresses fed it values that move with the length of the program's path, so a
# clone elsewhere explored other inputs); the stack-depth feature is not compiled in (CMakeLists.txt);
# and address randomization is off where the kernel allows it. A CI failure is found again.
# The campaign keeps -use_cmp: there, finding inputs matters more than repeating them.
fixed=(-purge_allocator_interval=-1 -reload=0 -use_cmp=0)
no_aslr=()
if setarch "$(uname -m)" -R true 2>/dev/null; then no_aslr=(setarch "$(uname -m)" -R); fi

echo "sanitize: GoogleTest suite under ASan + UBSan"
ctest --test-dir build/sanitize -j2 --output-on-failure | tail -3

for h in load batch query rule; do
  bin=build/sanitize/tests/fuzz/${h}_fuzz
  echo "sanitize: $h harness, regression inputs and seed corpus"
  "$bin" -artifact_prefix="$scratch/" tests/fuzz/regressions/$h/* tests/fuzz/corpus/$h/* >"$scratch/$h.log" 2>&1 ||
    { tail -40 "$scratch/$h.log" >&2; exit 1; }
  echo "  $(grep -c '^Executed' "$scratch/$h.log") inputs, none broke a promise"
  echo "sanitize: $h harness, ${runs[$h]} runs from seed 1"
  mkdir -p "$scratch/$h"
  cp tests/fuzz/corpus/$h/* "$scratch/$h/"
  "${no_aslr[@]}" "$bin" -dict="$(dict_of $h)" -max_len=8192 -seed=1 -runs="${runs[$h]}" "${fixed[@]}" \
    -artifact_prefix="$scratch/" -print_final_stats=1 "$scratch/$h" 2>&1 |
    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|Done)' || true
  # A crash makes libFuzzer exit non-zero, which set -e and pipefail do not see through grep.
  if compgen -G "$scratch/crash-*" >/dev/null || compgen -G "$scratch/leak-*" >/dev/null ||
    compgen -G "$scratch/timeout-*" >/dev/null; then
    echo "sanitize: the $h harness found an input that breaks a promise:" >&2
    ls "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* 2>/dev/null >&2
    exit 1
  fi
done
echo "sanitize: all passed"
