#!/usr/bin/env bash
# The README's second command: install what is missing, build with warnings as errors, and run
# the default test suite (everything but the fuzz and bench labels).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --parallel "$(nproc)"
ctest --preset ci --parallel "$(nproc)"
