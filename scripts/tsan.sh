#!/usr/bin/env bash
# The whole service under ThreadSanitizer: builds the `tsan` preset (Debug, -fsanitize=thread),
# runs its test suite (unit, service and integration tests: SIGKILL and restart, rebalance, broker
# faults, graceful shutdown, each starting the TSan build of `earshot`), then a short
# `earshot bench` whose broker, generator and service are all TSan builds. Exits non-zero on any
# report. Not part of the default test run (about 10 minutes of build on two cores).
#
#   scripts/tsan.sh
#   TSAN_JOBS=2 ...          # build parallelism (default 1)
#   TSAN_TESTS=regex ...     # only the ctest tests matching regex
#
# librdkafka's threads are C11 threads, which this toolchain's TSan does not intercept; TSan
# builds map them onto pthreads (tests/testing/tsan_c11_threads.cc). Suppressions for what
# uninstrumented librdkafka synchronizes on its own: tests/tsan.supp.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${TSAN_JOBS:-1}
SHARED=${EARSHOT_SHARED_DIR:-$(cd .. && pwd)/shared}
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1"

echo "== configure and build (preset tsan, -j$JOBS)"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j"$JOBS" >build/tsan-build.log 2>&1 || {
  tail -40 build/tsan-build.log
  exit 1
}

echo "== ctest --preset tsan"
ctest --preset tsan ${TSAN_TESTS:+-R "$TSAN_TESTS"} --timeout 900

if [[ -d $SHARED/data/brands ]]; then
  echo "== earshot bench under TSan (20,000 records; figures meaningless, reports fatal)"
  ./build/tsan/earshot bench --shared "$SHARED" --no-python --records 20000 --seconds 2 \
    --rate 2000
else
  echo "== skipping earshot bench: $SHARED/data/brands not found"
fi
echo "tsan.sh: no ThreadSanitizer reports"
