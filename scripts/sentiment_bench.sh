#!/usr/bin/env bash
# Sentiment speed, one core, one run, same input (the 4,200 texts of the VADER tweets gold set):
# earshot's lexicon engine and default engine (bench/sentiment_bench.cc) next to NLTK's VADER
# (/usr/bin/python3 ../shared/peers/vader_nltk.py) and the npm package sentiment@5.0.2
# (../shared/peers/afinn_sentiment.js, installed into a temporary folder), with the ratios and
# the targets of issue 4.
#
#   scripts/sentiment_bench.sh                # build tree: build/release (preset release)
#   BENCH_BUILD=build/h6r scripts/sentiment_bench.sh   # an existing release tree
#   BENCH_JOBS=2 ...                          # build parallelism (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${BENCH_JOBS:-1}
CPU=${BENCH_CPU:-0}
export EARSHOT_SHARED_DIR=${EARSHOT_SHARED_DIR:-$(cd .. && pwd)/shared}
PEERS=$EARSHOT_SHARED_DIR/peers
GOLD=$EARSHOT_SHARED_DIR/data/sentiment/vader_gold/tweets_GroundTruth.txt
LEXICON=data/vendor/vader-sentiment-1.1.3/package/vader_lexicon.txt
for f in "$GOLD" "$LEXICON" "$PEERS/vader_nltk.py" "$PEERS/afinn_sentiment.js"; do
  [[ -f $f ]] || { echo "missing $f (../shared, or run scripts/setup.sh)" >&2; exit 1; }
done

if [[ -n ${BENCH_BUILD:-} ]]; then
  BUILD=$BENCH_BUILD
  cmake --build "$BUILD" --target sentiment_bench -j"$JOBS" >/dev/null
else
  BUILD=build/release
  echo "== configure and build (preset release, -j$JOBS)"
  cmake --preset release >/dev/null
  cmake --build --preset release --target sentiment_bench -j"$JOBS" >/dev/null
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cut -f3 "$GOLD" >"$TMP/texts.txt"
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c "$CPU")

echo "== earshot (one core)"
"${PIN[@]}" "$BUILD/bench/sentiment_bench" --benchmark_min_time=1 \
  --benchmark_out="$TMP/earshot.json" --benchmark_out_format=json
echo "== NLTK VADER"
"${PIN[@]}" /usr/bin/python3 "$PEERS/vader_nltk.py" --lexicon "$LEXICON" --bench \
  <"$TMP/texts.txt" | tee "$TMP/nltk.txt"
echo "== npm sentiment@5.0.2"
(cd "$TMP" && npm install --silent --no-audit --no-fund sentiment@5.0.2 >/dev/null 2>&1)
NODE_PATH=$TMP/node_modules "${PIN[@]}" node "$PEERS/afinn_sentiment.js" --bench \
  <"$TMP/texts.txt" | tee "$TMP/afinn.txt"

python3 - "$TMP" <<'PY'
import json, re, sys
tmp = sys.argv[1]
bench = {b["name"]: b["texts_per_s"] for b in json.load(open(f"{tmp}/earshot.json"))["benchmarks"]}
rate = lambda f: float(re.search(r"texts_per_s=(\d+)", open(f).read()).group(1))
nltk, afinn = rate(f"{tmp}/nltk.txt"), rate(f"{tmp}/afinn.txt")
lex, default = bench["BM_Lexicon"], bench["BM_Default"]
print(f"\n{'engine':<28}{'texts/s':>12}{'x NLTK VADER':>14}{'x npm sentiment':>17}")
for name, v in [("earshot lexicon", lex), ("earshot default (ensemble)", default),
                ("earshot model", bench["BM_Model"]), ("NLTK VADER", nltk),
                ("npm sentiment 5.0.2", afinn)]:
    print(f"{name:<28}{v:>12,.0f}{v / nltk:>14.1f}{v / afinn:>17.1f}")
print("\ntargets (issue 4):")
for what, ok in [("lexicon >= 1.5M texts/s", lex >= 1.5e6), ("default >= 300k texts/s", default >= 3e5),
                 ("default >= 100x NLTK VADER", default >= 100 * nltk),
                 ("default >= 10x npm sentiment", default >= 10 * afinn)]:
    print(f"  {'met ' if ok else 'MISS'} {what}")
PY
