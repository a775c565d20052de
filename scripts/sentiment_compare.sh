#!/usr/bin/env bash
# Sentiment quality side by side: earshot's lexicon engine and default engine next to NLTK's VADER
# (/usr/bin/python3 ../shared/peers/vader_nltk.py, with the same pinned VADER lexicon) and the npm
# package sentiment@5.0.2 (../shared/peers/afinn_sentiment.js, installed into a temporary folder),
# on every evaluation set of issue 4, all measured by the same code: `earshot eval sentiment`
# scores earshot's engines itself and the peers' scores through --scores, from the very texts
# earshot scores (--print-texts). Peers are labelled by compound / comparative +-0.05.
#
#   scripts/sentiment_compare.sh            # build tree: build/release (preset release)
#   BENCH_BUILD=build/h6r scripts/sentiment_compare.sh
#   BENCH_JOBS=2 ...                       # build parallelism (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${BENCH_JOBS:-1}
export EARSHOT_SHARED_DIR=${EARSHOT_SHARED_DIR:-$(cd .. && pwd)/shared}
PEERS=$EARSHOT_SHARED_DIR/peers
DATA=$EARSHOT_SHARED_DIR/data/sentiment
LEXICON=data/vendor/vader-sentiment-1.1.3/package/vader_lexicon.txt
SETS=(
  "VADER tweets|vader-gold|$DATA/vader_gold/tweets_GroundTruth.txt"
  "VADER movie snippets|vader-gold|$DATA/vader_gold/movieReviewSnippets_GroundTruth.txt"
  "VADER Amazon snippets|vader-gold|$DATA/vader_gold/amazonReviewSnippets_GroundTruth.txt"
  "VADER NYT snippets|vader-gold|$DATA/vader_gold/nytEditorialSnippets_GroundTruth.txt"
  "SemEval 2016 test|semeval|$DATA/semeval2013-2016/twitter-2016test-A.txt"
  "TweetEval validation|tweeteval|$DATA/tweeteval/val_text.txt"
)
for f in "$LEXICON" "$PEERS/vader_nltk.py" "$PEERS/afinn_sentiment.js"; do
  [[ -f $f ]] || { echo "missing $f (../shared, or run scripts/setup.sh)" >&2; exit 1; }
done
for s in "${SETS[@]}"; do
  f=${s##*|}
  [[ -f $f ]] || { echo "missing $f (../shared)" >&2; exit 1; }
done

if [[ -n ${BENCH_BUILD:-} ]]; then
  BUILD=$BENCH_BUILD
  cmake --build "$BUILD" --target earshot -j"$JOBS" >/dev/null
else
  BUILD=build/release
  echo "== configure and build (preset release, -j$JOBS)"
  cmake --preset release >/dev/null
  cmake --build --preset release --target earshot -j"$JOBS" >/dev/null
fi
EARSHOT=$BUILD/earshot

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm install --silent --no-audit --no-fund sentiment@5.0.2 >/dev/null 2>&1)

eval_set() { "$EARSHOT" eval sentiment --format "$format" --data "$file" --json "$@"; }
i=0
for s in "${SETS[@]}"; do
  IFS='|' read -r name format file <<<"$s"
  i=$((i + 1))
  echo "== $name"
  "$EARSHOT" eval sentiment --format "$format" --data "$file" --print-texts >"$TMP/texts.$i"
  /usr/bin/python3 "$PEERS/vader_nltk.py" --lexicon "$LEXICON" <"$TMP/texts.$i" >"$TMP/nltk.$i"
  NODE_PATH=$TMP/node_modules node "$PEERS/afinn_sentiment.js" <"$TMP/texts.$i" >"$TMP/afinn.$i"
  {
    echo "$name"
    eval_set --engine lexicon | sed 's/^/earshot lexicon\t/'
    eval_set | sed 's/^/earshot default\t/'
    eval_set --scores "$TMP/nltk.$i" | sed 's/^/NLTK VADER\t/'
    eval_set --scores "$TMP/afinn.$i" | sed 's/^/npm sentiment 5.0.2\t/'
  } >"$TMP/result.$i"
done

python3 - "$TMP" "$i" <<'PY'
import json, sys
tmp, sets = sys.argv[1], int(sys.argv[2])
print()
print(f"{'data set':<24}{'scorer':<22}{'r':>8}{'paper F1':>10}{'macro-F1':>10}{'macro-R':>9}"
      f"{'acc':>8}")
for i in range(1, sets + 1):
    lines = open(f"{tmp}/result.{i}").read().splitlines()
    name = lines[0]
    for line in lines[1:]:
        scorer, js = line.split("\t", 1)
        m = json.loads(js)["metrics"]
        r = m.get("pearson_r")
        paper = m["weighted_f1"] if "pearson_r" in m else None
        fmt = lambda v: f"{v:.4f}" if v is not None else "-"
        print(f"{name:<24}{scorer:<22}{fmt(r):>8}{fmt(paper):>10}{m['macro_f1']:>10.4f}"
              f"{m['macro_recall']:>9.4f}{m['accuracy']:>8.4f}")
        name = ""
print("\nr: Pearson with the human mean (VADER gold sets); paper F1: the VADER paper's 3-class\n"
      "figure (sign of the human mean, P/R/F1 weighted by support).")
PY
