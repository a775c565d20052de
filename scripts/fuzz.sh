#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset, clang) and runs each for RUNS executions
# (default 1,000,000) from a seed corpus assembled in build/fuzz/corpus/<target> out of
# examples/streams and, when present, ../shared/fixtures. Prints executions and time per target
# and exits non-zero when any target crashes; reproducers are saved under
# build/fuzz/findings/<target>/.
#
#   scripts/fuzz.sh [RUNS]
#   FUZZ_TARGETS="x_v2 reddit" scripts/fuzz.sh 10000     # a subset
#   FUZZ_JOBS=2 ...                                         # build parallelism (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-1000000}
JOBS=${FUZZ_JOBS:-1}
SHARED=${EARSHOT_SHARED_DIR:-$(cd .. && pwd)/shared}
BUILD=build/fuzz
ALL_TARGETS="x_v2 x_v1 reddit bluesky mastodon yelp amazon app_store_rss app_scraper generic
twcs_csv auto config query sentiment"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2
  exit 1
fi

echo "== configure and build (preset fuzz, -j$JOBS)"
cmake --preset fuzz >/dev/null
mkdir -p "$BUILD"
if ! cmake --build --preset fuzz --target fuzz_all -j"$JOBS" >"$BUILD/build.log" 2>&1; then
  tail -n 60 "$BUILD/build.log" >&2
  exit 1
fi
tail -n 1 "$BUILD/build.log"

echo "== seed corpora"
python3 fuzz/make_corpus.py --source . --shared "$SHARED" --out "$BUILD/corpus"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

declare -a rows=()
failed=0
for target in $TARGETS; do
  bin="$BUILD/fuzz/fuzz_$target"
  corpus="$BUILD/corpus/$target"
  findings="$BUILD/findings/$target"
  log="$BUILD/logs/$target.log"
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  dict=()
  case "$target" in
    config | twcs_csv | sentiment) ;;
    query) dict=(-dict=fuzz/query.dict) ;;
    *) dict=(-dict=fuzz/json.dict) ;;
  esac
  echo "== fuzz_$target: $RUNS runs"
  start=$(date +%s.%N)
  set +e
  "$bin" "$corpus" "${dict[@]}" -runs="$RUNS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  execs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$log" | tail -n 1)
  rate=$(awk -v n="${execs:-0}" -v t="$secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{ print $2 }')
  if [[ $rc -eq 0 ]]; then
    result=ok
  else
    failed=1
    artifact=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | awk '{ print $5 }')
    reason=$(grep -m1 -E "^==[0-9]+==ERROR|runtime error|invariant broken|deadly signal|timeout" \
      "$log" | cut -c1-100)
    result="CRASH rc=$rc ${artifact:-no artifact} :: ${reason:-see $log}"
    echo "   $result"
    tail -n 40 "$log" | sed 's/^/   | /'
  fi
  rows+=("$(printf '%-14s %10s %8ss %9s %6s  %s' "$target" "${execs:-?}" "$secs" "${rate:-?}" \
    "${cov:-?}" "$result")")
done

echo
printf '%-14s %10s %9s %9s %6s  %s\n' target executions time exec/s cov result
for row in "${rows[@]}"; do echo "$row"; done
echo "logs: $BUILD/logs/, reproducers: $BUILD/findings/"
exit $failed
