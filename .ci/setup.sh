#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian 12 machine of this kind: installs only the missing Debian
# packages (apt-get update only when something is missing), then the npm packages when node_modules
# is missing or older than package.json / package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang + libclang-rt-14-dev: the sanitizer layer (ASan, UBSan) and the libFuzzer harnesses.
packages=(cmake ninja-build g++ clang clang-format libclang-rt-14-dev emscripten nlohmann-json3-dev libgtest-dev
  libbenchmark-dev chromium)
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

command -v node >/dev/null || { echo "setup: node is required (Node 20.19+)" >&2; exit 1; }

stamp=node_modules/.package-lock.json
if [[ ! -d node_modules || ! -f $stamp || package.json -nt $stamp || ( -f package-lock.json && package-lock.json -nt $stamp ) ]]; then
  if [[ -f package-lock.json ]]; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund
  else
    echo "setup: npm install"
    npm install --no-audit --no-fund
  fi
else
  echo "setup: node_modules up to date"
fi
