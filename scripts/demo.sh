#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DEARSHOT_BUILD_TESTS=OFF \
  -DEARSHOT_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --parallel "$(nproc)" --target earshot
earshot=build/release/earshot

echo
echo "== earshot check-config examples/earshot.yaml"
"$earshot" check-config examples/earshot.yaml
echo
echo "== earshot parse --format auto examples/streams/*  (posts on stdout, skips on stderr)"
"$earshot" parse --format auto examples/streams/* 2>&1
