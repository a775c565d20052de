#!/usr/bin/env bash
# Builds parse_bench with the release preset, runs it (every adapter next to a bare simdjson
# On-Demand pass over the same bytes) and prints one row per adapter with both throughputs and
# their ratio. Exits non-zero only when the benchmark itself fails; an adapter below the target
# ratio is flagged in the table, not treated as a failure.
#
#   scripts/bench.sh                       # 50 MB corpora, 3 repetitions, medians
#   BENCH_FILTER='x_v|reddit' scripts/bench.sh
#   EARSHOT_BENCH_MB=10 BENCH_REPS=1 scripts/bench.sh
#   BENCH_JOBS=2 ...                       # build parallelism (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${BENCH_JOBS:-1}
REPS=${BENCH_REPS:-3}
MIN_TIME=${BENCH_MIN_TIME:-0.5}
FILTER=${BENCH_FILTER:-.}
TARGET_RATIO=${BENCH_TARGET_RATIO:-0.60}
export EARSHOT_SHARED_DIR=${EARSHOT_SHARED_DIR:-$(cd .. && pwd)/shared}
BUILD=build/release
OUT=$BUILD/bench/parse_bench.json

echo "== configure and build (preset release, -j$JOBS)"
cmake --preset release >/dev/null
mkdir -p "$BUILD/bench"
if ! cmake --build --preset release --target parse_bench -j"$JOBS" >"$BUILD/bench/build.log" 2>&1; then
  tail -n 60 "$BUILD/bench/build.log" >&2
  exit 1
fi

echo "== run (fixtures: $EARSHOT_SHARED_DIR/fixtures, repetitions: $REPS)"
"$BUILD/bench/parse_bench" --benchmark_filter="/($FILTER)" --benchmark_min_time="$MIN_TIME" \
  --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="$OUT" --benchmark_out_format=json

python3 - "$OUT" "$TARGET_RATIO" <<'EOF'
import json, sys

path, target = sys.argv[1], float(sys.argv[2])
runs = json.load(open(path))["benchmarks"]
rows, errors = {}, {}
for r in runs:
    name = r.get("run_name", r["name"])
    if r.get("error_occurred"):
        errors[name.split("/", 1)[1]] = r.get("error_message", "error")
        continue
    # With repetitions, keep the medians; a single run has no aggregates.
    if r.get("run_type") == "aggregate" and r.get("aggregate_name") != "median":
        continue
    kind, fmt = name.split("/", 1)
    fmt = fmt.split("/")[0]
    rows.setdefault(fmt, {})[kind] = r

print()
print(f"{'adapter':<14} {'adapter MB/s':>12} {'posts/s':>11} {'bare MB/s':>10} {'posts/s':>11}"
      f" {'ratio':>6}  status")
below = []
# parse_bench's registration order (runs may be interleaved), then anything else.
known = ["x_v2", "x_v1", "reddit", "bluesky", "mastodon", "yelp", "amazon", "app_store_rss",
         "app_scraper", "generic", "twcs_csv"]
order = [f for f in known if f in rows] + sorted(f for f in rows if f not in known)
seen = []
for fmt in order + sorted(errors):
    if fmt in seen:
        continue
    seen.append(fmt)
    if fmt in errors:
        print(f"{fmt:<14} {'-':>12} {'-':>11} {'-':>10} {'-':>11} {'-':>6}  {errors[fmt]}")
        continue
    a, b = rows[fmt].get("adapter"), rows[fmt].get("bare")
    a_mbs = a["bytes_per_second"] / 1e6
    a_pps = a.get("posts/s", 0)
    if b is None:
        print(f"{fmt:<14} {a_mbs:>12.0f} {a_pps:>11.0f} {'n/a':>10} {'n/a':>11} {'n/a':>6}"
              "  no bare pass (CSV)")
        continue
    b_mbs = b["bytes_per_second"] / 1e6
    ratio = a_mbs / b_mbs
    status = "ok" if ratio >= target else f"BELOW {target:.0%}"
    if ratio < target:
        below.append(fmt)
    print(f"{fmt:<14} {a_mbs:>12.0f} {a_pps:>11.0f} {b_mbs:>10.0f} {b.get('posts/s', 0):>11.0f}"
          f" {ratio:>6.0%}  {status}")
print()
print(f"target: every adapter >= {target:.0%} of the bare pass; below: {', '.join(below) or 'none'}")
print(f"raw results: {path}")
EOF
