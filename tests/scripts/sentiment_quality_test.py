#!/usr/bin/env python3
"""The sentiment quality figures earshot promises, checked on the public evaluation sets.

Runs `earshot eval sentiment --json` with the default configuration (committed model, default
engine) and fails when a figure falls below what the sentiment README states and the issue asks:
- SemEval 2016 test and TweetEval validation (both held out from training): macro-F1 >= 0.62 and
  macro-averaged recall >= 0.63;
- VADER gold Pearson r: tweets >= 0.88, movie / Amazon / NYT snippets above VADER's published
  0.451 / 0.565 / 0.492;
- brand-directed posts (those with an @handle): masking the handle is at least as accurate as
  deleting it from the text.

Needs ../shared/data/sentiment; exits 77 (skipped) with a message when it is absent.
"""
import argparse
import json
import os
import subprocess
import sys

failures = []


def evaluate(earshot, fmt, data, *extra):
    cmd = [earshot, "eval", "sentiment", "--format", fmt, "--data", data, "--json", *extra]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        failures.append(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr.strip()}")
        return None
    metrics = json.loads(out.stdout)["metrics"]
    if metrics.get("n", 0) == 0:
        failures.append(f"{' '.join(cmd)} scored no item")
        return None
    return metrics


def at_least(name, value, floor, strict=False):
    ok = value > floor if strict else value >= floor
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {value:.4f} ({'>' if strict else '>='} {floor})")
    if not ok:
        failures.append(f"{name} = {value:.4f}, below {floor}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--earshot", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    data = os.path.join(a.shared, "data", "sentiment")
    semeval = os.path.join(data, "semeval2013-2016", "twitter-2016test-A.txt")
    tweeteval = os.path.join(data, "tweeteval", "val_text.txt")
    gold = os.path.join(data, "vader_gold")
    needed = [semeval, tweeteval, os.path.join(gold, "tweets_GroundTruth.txt")]
    missing = [p for p in needed if not os.path.exists(p)]
    if missing:
        print(f"SKIP: evaluation data not found ({missing[0]}); needs ../shared", file=sys.stderr)
        return 77

    for name, fmt, path in (("SemEval 2016 test", "semeval", semeval),
                            ("TweetEval validation", "tweeteval", tweeteval)):
        m = evaluate(a.earshot, fmt, path)
        if m:
            at_least(f"{name} macro-F1", m["macro_f1"], 0.62)
            at_least(f"{name} macro-recall", m["macro_recall"], 0.63)
        masked = evaluate(a.earshot, fmt, path, "--only-handles", "--handles", "mask")
        removed = evaluate(a.earshot, fmt, path, "--only-handles", "--handles", "remove")
        if masked and removed:
            at_least(f"{name} posts with a handle: accuracy masked vs removed",
                     masked["accuracy"], removed["accuracy"])

    for file, floor, strict in (("tweets_GroundTruth.txt", 0.88, False),
                                ("movieReviewSnippets_GroundTruth.txt", 0.451, True),
                                ("amazonReviewSnippets_GroundTruth.txt", 0.565, True),
                                ("nytEditorialSnippets_GroundTruth.txt", 0.492, True)):
        m = evaluate(a.earshot, "vader-gold", os.path.join(gold, file))
        if m:
            at_least(f"VADER gold {file} Pearson r", m["pearson_r"], floor, strict)

    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
