#!/usr/bin/env bash
# Builds match_bench with the release preset, runs it on one core (the brand-matching engine next
# to the naive one-RE2-per-brand approach, at 10 / 100 / 1,000 / 10,000 brands, on the posts of
# ../shared/fixtures and the tweets of ../shared/data/sentiment) and prints one table with
# throughput, compile time and memory, and the targets of issue 3.
#
#   scripts/match_bench.sh                  # 3 repetitions, medians
#   BENCH_REPS=1 BENCH_MIN_TIME=0.2 scripts/match_bench.sh
#   BENCH_JOBS=2 ...                        # build parallelism (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${BENCH_JOBS:-1}
REPS=${BENCH_REPS:-3}
MIN_TIME=${BENCH_MIN_TIME:-0.5}
export EARSHOT_SHARED_DIR=${EARSHOT_SHARED_DIR:-$(cd .. && pwd)/shared}
BUILD=build/release
OUT=$BUILD/bench/match_bench.json
CPU=${BENCH_CPU:-0}

echo "== configure and build (preset release, -j$JOBS)"
cmake --preset release >/dev/null
mkdir -p "$BUILD/bench"
if ! cmake --build --preset release --target match_bench -j"$JOBS" >"$BUILD/bench/match_build.log" 2>&1; then
  tail -n 60 "$BUILD/bench/match_build.log" >&2
  exit 1
fi

PIN=()
command -v taskset >/dev/null && PIN=(taskset -c "$CPU")
echo "== run (one core, repetitions: $REPS; shared data: $EARSHOT_SHARED_DIR)"
# Throughput with repetitions; compile and memory once per size, each in a fresh process so
# that the heap and RSS deltas of one size are not hidden by memory freed by another.
if [[ -z "${SKIP_THROUGHPUT:-}" ]]; then  # SKIP_THROUGHPUT=1 reuses the last throughput results
  "${PIN[@]}" "$BUILD/bench/match_bench" --benchmark_filter='^(Engine|Naive|BareSet)/' \
    --benchmark_min_time="$MIN_TIME" --benchmark_repetitions="$REPS" \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="$OUT" --benchmark_out_format=json
fi
for n in 10 100 1000 10000; do
  for kind in Compile NaiveCompile; do
    "${PIN[@]}" "$BUILD/bench/match_bench" --benchmark_filter="^$kind/$n/" \
      --benchmark_out="$BUILD/bench/match_${kind}_$n.json" --benchmark_out_format=json >/dev/null
  done
done

python3 - "$OUT" "$BUILD/bench" <<'PY'
import glob, json, os, sys

out, folder = sys.argv[1], sys.argv[2]
rows = {}
def take(run):
    name = run.get("run_name", run["name"])
    if run.get("run_type") == "aggregate" and run.get("aggregate_name") != "median":
        return
    kind, n = name.split("/")[:2]
    rows.setdefault(int(n), {})[kind] = run
for r in json.load(open(out))["benchmarks"]:
    take(r)
for f in glob.glob(os.path.join(folder, "match_*Compile_*.json")):
    for r in json.load(open(f))["benchmarks"]:
        take(r)

print()
print(f"{'brands':>7} {'engine MB/s':>11} {'posts/s':>10} {'bare set MB/s':>13} {'naive MB/s':>10} {'posts/s':>9} {'speedup':>8}"
      f" {'compile s':>9} {'heap MB':>8} {'RSS MB':>7} {'naive compile s':>15} {'naive heap MB':>13}")
ok = True
for n in sorted(rows):
    r = rows[n]
    e, nv, c, nc = r.get("Engine"), r.get("Naive"), r.get("Compile"), r.get("NaiveCompile")
    bare = r["BareSet"]["bytes_per_second"] / 1e6 if r.get("BareSet") else float("nan")
    e_mbs = e["bytes_per_second"] / 1e6 if e else float("nan")
    n_mbs = nv["bytes_per_second"] / 1e6 if nv else float("nan")
    speed = e_mbs / n_mbs if nv and e else float("nan")
    print(f"{n:>7} {e_mbs:>11.1f} {e.get('posts/s', 0) if e else 0:>10.0f} {bare:>13.1f} {n_mbs:>10.2f}"
          f" {nv.get('posts/s', 0) if nv else 0:>9.0f} {speed:>7.1f}x"
          f" {c['compile_s'] if c else float('nan'):>9.3f} {c['heap_MB'] if c else float('nan'):>8.1f}"
          f" {c['rss_MB'] if c else float('nan'):>7.1f} {nc['compile_s'] if nc else float('nan'):>15.3f}"
          f" {nc['heap_MB'] if nc else float('nan'):>13.1f}")
    if n == 1000:
        ok &= e_mbs >= 150 and speed >= 20
        print_1000 = (e_mbs, speed)
    if n == 10000 and c:
        ok &= c["compile_s"] < 5 and c["heap_MB"] < 256 and c["rss_MB"] < 256
print()
print("targets: 1,000 brands >= 150 MB/s and >= 20x naive; 10,000 brands compile < 5 s, memory < 256 MB"
      f" -> {'met' if ok else 'MISSED'}")
print("bare set: the engine's own RE2::Sets over the lowercased raw text, no normalization (the floor)")
print("memory: heap bytes in use (mallinfo2) and RSS, deltas over compile + one matching pass")
print(f"raw results: {out}")
PY
