#!/usr/bin/env bash
# End-to-end benchmark: earshot's service on an embedded broker with 1,000 brands built from
# ../shared/data/brands, the generator's realistic mix, next to ../shared/peers/python_pipeline.py
# (confluent-kafka + json + re + NLTK VADER) on the same topic in the same run.
#   catch-up:   N records preloaded; each pipeline, in its own consumer group, reads all of them
#   sustained:  the generator produces at RATE for SECONDS while earshot keeps up (lag, resets)
#   latency:    p50/p99 from Kafka timestamp to outputs acknowledged, at half the catch-up rate
#   memory:     earshot's peak RSS (VmHWM)
# Usage: scripts/e2e_bench.sh [N=200000] [SECONDS=15]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
seconds=${2:-15}
shared=${EARSHOT_SHARED_DIR:-../shared}
[[ -d "$shared/data/brands" ]] || { echo "SKIP: $shared/data/brands is absent"; exit 0; }

bash scripts/setup.sh >/dev/null
cmake -S . -B build/e2e -G Ninja -DCMAKE_BUILD_TYPE=Release -DEARSHOT_BUILD_TESTS=OFF \
  -DEARSHOT_BUILD_BENCH=OFF >/dev/null
cmake --build build/e2e --target earshot >/dev/null
earshot=$PWD/build/e2e/earshot
lexicon=$PWD/data/vendor/vader-sentiment-1.1.3/package/vader_lexicon.txt

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# 1,000 brands: S&P 500 and Fortune 500 names without legal suffixes, plus travel handles.
/usr/bin/python3 - "$shared/data/brands" "$tmp" <<'PY'
import csv, io, json, re, sys
src, out = sys.argv[1], sys.argv[2]
suffix = re.compile(r"[,.]?\s+(inc|corp|corporation|co|company|plc|ltd|group|holdings|"
                    r"incorporated|the|companies|international)\.?$", re.I)
def clean(name):
    name = name.strip().strip('"')
    for _ in range(3):
        name = suffix.sub("", name).strip()
    return name
names, seen = [], set()
def add(name):
    key = name.lower()
    if len(key) >= 3 and key not in seen and '"' not in name:
        seen.add(key); names.append(name)
for row in csv.DictReader(open(f"{src}/sp500_constituents.csv", encoding="utf-8")):
    add(clean(row["Security"]))
raw = open(f"{src}/fortune500_2019_utf16.csv", "rb").read().decode("utf-16")
for row in csv.DictReader(io.StringIO(raw)):
    add(clean(row["company_name"]))
handles = [r["twitter_account"] for r in csv.DictReader(open(f"{src}/optd_travel_players_twitter_accounts.csv"))]
tickers = [r["Symbol"] for r in csv.DictReader(open(f"{src}/sp500_constituents.csv", encoding="utf-8"))]
# 1,000 brands: every name, then travel handles, then cashtags of S&P tickers to fill up.
queries = [(n, json.dumps('"' + n + '"')) for n in names]
queries += [("@" + h, json.dumps("@" + h)) for h in handles]
queries += [("$" + t, json.dumps("$" + t)) for t in tickers if "." not in t]
queries = queries[:1000]
with open(f"{out}/brands.txt", "w") as f:
    f.write("\n".join(n for n, _ in queries) + "\n")
with open(f"{out}/brands_py.txt", "w") as f:
    f.write("\n".join(n.lower() for n, _ in queries) + "\n")
with open(f"{out}/earshot.yaml", "w") as f:
    f.write("inputs:\n  - name: raw\n    topic: bench.raw\n    format: auto\n")
    f.write("kafka:\n  bootstrap: embedded\n  group_id: e2e-earshot\n")
    f.write("service:\n  workers: 2\n  admin_listen: 127.0.0.1:0\n  queue_capacity: 4096\n")
    f.write("  max_inflight_records: 200000\nbrands:\n")
    for i, (n, q) in enumerate(queries):
        f.write(f"  - id: b{i}\n    name: {json.dumps(n)}\n    query: {q}\n")
print(f"brands: {len(queries)} ({len(names)} names, then handles and cashtags)")
PY
"$earshot" check-config "$tmp/earshot.yaml" | grep brands:

"$earshot" broker --partitions 48 --topics bench.raw,earshot.enriched,earshot.dead-letter,py.enriched \
  --bootstrap-file "$tmp/bootstrap" >/dev/null &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$tmp/bootstrap" ]] && break; sleep 0.1; done
bootstrap=$(cat "$tmp/bootstrap")

metric() {  # metric NAME_PREFIX -> sum of matching samples
  curl -s "localhost:$port/metrics" | awk -v m="$1" 'index($1, m) == 1 { s += $2 } END { printf "%d", s }'
}
histogram() {  # prints "le count" pairs of the end-to-end histogram
  curl -s "localhost:$port/metrics" | sed -n 's/^earshot_end_to_end_seconds_bucket{le="\([^"]*\)"} \(.*\)$/\1 \2/p'
}

echo "== preload $n records into bench.raw"
"$earshot" generate --brands "$tmp/brands.txt" --to kafka --bootstrap "$bootstrap" --topic bench.raw \
  --count "$n" --duration 0 --rate 10000000 --seed 5 2>&1 | tail -1

echo "== earshot: catch-up over $n records"
"$earshot" run -c "$tmp/earshot.yaml" --bootstrap "$bootstrap" --admin-port-file "$tmp/port" \
  2>"$tmp/earshot.log" &
epid=$!
pids+=($epid)
for _ in $(seq 1 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
port=$(cat "$tmp/port")
start=""
while true; do
  c=$(metric earshot_ingest_records_total)
  [[ -z "$start" && "$c" -gt 0 ]] && start=$(date +%s.%N) && c0=$c
  [[ "$c" -ge "$n" ]] && break
  sleep 0.2
done
end=$(date +%s.%N)
earshot_rate=$(/usr/bin/python3 -c "print(round(($n - $c0) / ($end - $start)))")
echo "earshot catch-up: $earshot_rate records/s"

echo "== python_pipeline.py: catch-up over the same $n records"
py_line=$(/usr/bin/python3 "$shared/peers/python_pipeline.py" --bootstrap "$bootstrap" --topic bench.raw \
  --out-topic py.enriched --brands "$tmp/brands_py.txt" --lexicon "$lexicon" --max "$n" \
  --group e2e-python 2>/dev/null | tail -1)
echo "python: $py_line"
py_rate=$(echo "$py_line" | grep -oE 'records_per_s=[0-9.]+' | cut -d= -f2)

half=$((earshot_rate / 2))
echo "== latency at half the catch-up rate ($half/s for ${seconds}s)"
before=$(histogram)
"$earshot" generate --brands "$tmp/brands.txt" --to kafka --bootstrap "$bootstrap" --topic bench.raw \
  --rate "$half" --duration "$seconds" --seed 6 2>/dev/null
sleep 3
after=$(histogram)
/usr/bin/python3 - "$before" "$after" <<'PY'
import sys
def parse(t): return [(float('inf') if l.split()[0] == '+Inf' else float(l.split()[0]), float(l.split()[1])) for l in t.strip().splitlines()]
b, a = parse(sys.argv[1]), parse(sys.argv[2])
d = [(le, ac - bc) for (le, ac), (_, bc) in zip(a, b)]
total = d[-1][1]
def q(p):
    target, prev_le, prev_c = p * total, 0.0, 0.0
    for le, c in d:
        if c >= target:
            if le == float('inf'): return prev_le
            return prev_le + (le - prev_le) * (target - prev_c) / max(c - prev_c, 1e-9)
        prev_le, prev_c = le, c
print(f"latency over {int(total)} records: p50 {q(0.5)*1000:.1f} ms, p99 {q(0.99)*1000:.1f} ms")
PY

rate=${EARSHOT_SUSTAIN_RATE:-250000}
echo "== sustained: generator at $rate/s for ${seconds}s while earshot consumes"
c_before=$(metric earshot_ingest_records_total)
t0=$(date +%s.%N)
"$earshot" generate --brands "$tmp/brands.txt" --to kafka --bootstrap "$bootstrap" --topic bench.raw \
  --rate "$rate" --duration "$seconds" --seed 7 2>"$tmp/gen.log"
produced=$(grep -oE '[0-9]+ records' "$tmp/gen.log" | grep -oE '[0-9]+')
t1=$(date +%s.%N)
for _ in $(seq 1 300); do
  [[ $(( $(metric earshot_ingest_records_total) - c_before )) -ge "$produced" ]] && break
  sleep 0.2
done
t2=$(date +%s.%N)
done_count=$(( $(metric earshot_ingest_records_total) - c_before ))
/usr/bin/python3 -c "
p, d = $produced, $done_count
gen, tail = $t1 - $t0, $t2 - $t1
print(f'produced {p} in {gen:.1f}s ({p/gen:.0f}/s); earshot finished {d} by {gen+tail:.1f}s '
      f'({d/(gen+tail):.0f}/s), {tail:.1f}s after the generator stopped')"
resets=$(grep -ci "offset.*reset\|out of range" "$tmp/earshot.log" || true)
echo "offset resets in earshot's log: $resets"
rss=$(awk '/VmHWM/ {print $2}' "/proc/$epid/status")
echo "earshot peak RSS: $((rss / 1024)) MiB"
if [[ -n "$py_rate" ]]; then
  /usr/bin/python3 -c "print(f'catch-up ratio earshot/python: {$earshot_rate / $py_rate:.1f}x')"
fi
