#!/usr/bin/env bash
# End-to-end benchmark: builds earshot (release) and runs `earshot bench` — the service on an
# embedded broker with 1,000 brands built from ../shared/data/brands and the generator's realistic
# mix, next to ../shared/peers/python_pipeline.py (confluent-kafka + json + re + NLTK VADER) on the
# same topic in the same run: catch-up rate, the maximum sustained rate (EARSHOT_SUSTAIN_RATE
# records/s to test one rate; default 0: search upwards from the catch-up rate, or down from it
# when earshot falls behind there), latency at half of it, peak RSS.
# Usage: scripts/e2e_bench.sh [N=200000] [SECONDS=15] [extra `earshot bench` options]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
seconds=${2:-15}
shift $(( $# > 2 ? 2 : $# ))
shared=${EARSHOT_SHARED_DIR:-../shared}
[[ -d "$shared/data/brands" ]] || { echo "SKIP: $shared/data/brands is absent"; exit 0; }

bash scripts/setup.sh >/dev/null
cmake -S . -B build/e2e -G Ninja -DCMAKE_BUILD_TYPE=Release -DEARSHOT_BUILD_TESTS=OFF \
  -DEARSHOT_BUILD_BENCH=OFF >/dev/null
cmake --build build/e2e --target earshot -j"${BENCH_JOBS:-1}" >/dev/null
exec build/e2e/earshot bench --shared "$shared" --records "$n" --seconds "$seconds" \
  --rate "${EARSHOT_SUSTAIN_RATE:-0}" "$@"
