#!/usr/bin/env python3
"""`earshot eval sentiment --print-texts` and `--scores`: measuring another tool with earshot's own
metric code, on a small gold set written here (no ../shared needed).

- --print-texts prints one line per gold text, in order, after the --only-handles filter, with
  tabs and line breaks inside a text turned into spaces;
- the lexicon engine's own compounds fed back through --scores give exactly the lexicon engine's
  metrics (the labels of both come from the same +-0.05 thresholds);
- hand-chosen scores give the confusion matrix worked out by hand, and the thresholds move it;
- a short scores file or a bad number stops with the file (and line) and a non-zero exit.

The round trip needs the lexicon fetched by scripts/setup.sh (data/vendor); exits 77 without it.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

failures = []

GOLD = [
    ("1", "2.5", "What a wonderful day, I love it!"),
    ("2", "-3.1", "This is the worst service ever :("),
    ("3", "1.2", "@acme thanks, that was quick\tand easy"),
    ("4", "-0.8", "still waiting for my refund, not happy"),
    ("5", "0.6", "pretty good overall"),
    ("6", "-1.9", "@acme my order arrived broken. terrible"),
    ("7", "-2.2", "Great, another delay. Just great."),
]


def check(what, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failures.append(f"{what} {detail}")


def run(earshot, *args):
    return subprocess.run([earshot, "eval", "sentiment", *args], capture_output=True, text=True,
                          timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--earshot", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    lexicon = os.path.join(a.source, "data", "vendor", "vader-sentiment-1.1.3", "package",
                           "vader_lexicon.txt")
    if not os.path.exists(lexicon):
        print(f"SKIP: {lexicon} is absent (run scripts/setup.sh)", file=sys.stderr)
        return 77
    os.environ["EARSHOT_DATA_ROOT"] = a.source
    with tempfile.TemporaryDirectory() as tmp:
        gold = os.path.join(tmp, "gold.txt")
        with open(gold, "w", encoding="utf-8") as f:
            for row in GOLD:
                f.write("\t".join(row) + "\n")
        base = ["--format", "vader-gold", "--data", gold]

        out = run(a.earshot, *base, "--print-texts")
        texts = out.stdout.split("\n")[:-1]
        check("--print-texts exits 0", out.returncode == 0, out.stderr)
        check("--print-texts: one line per text, in order",
              texts == [t.replace("\t", " ") for _, _, t in GOLD], repr(texts))
        out = run(a.earshot, *base, "--print-texts", "--only-handles")
        check("--print-texts --only-handles keeps the texts with a handle",
              out.stdout.splitlines() == [GOLD[2][2].replace("\t", " "), GOLD[5][2]],
              out.stdout)

        # The lexicon engine's compounds, fed back as another tool's scores.
        out = run(a.earshot, *base, "--engine", "lexicon", "--no-language-gate", "--dump")
        rows = [l.split("\t") for l in out.stdout.splitlines() if l.count("\t") >= 3]
        check("--dump prints every item", len(rows) == len(GOLD), out.stdout + out.stderr)
        scores = os.path.join(tmp, "scores.tsv")
        with open(scores, "w", encoding="utf-8") as f:
            for r, t in zip(rows, texts):
                f.write(f"{r[2]}\t{t}\n")
        engine = run(a.earshot, *base, "--engine", "lexicon", "--no-language-gate", "--json")
        external = run(a.earshot, *base, "--scores", scores, "--json")
        check("--scores exits 0", external.returncode == 0, external.stderr)
        if engine.returncode == 0 and external.returncode == 0:
            em, xm = json.loads(engine.stdout), json.loads(external.stdout)
            check("--scores reports where the scores came from",
                  xm["engine"] == "scores from " + scores, xm["engine"])
            # --dump prints 4 decimals: r agrees to about 1e-4, every count and label exactly.
            er, xr = em["metrics"].pop("pearson_r"), xm["metrics"].pop("pearson_r")
            check("the engine's own scores through --scores give the engine's metrics",
                  em["metrics"] == xm["metrics"], f"{em['metrics']} != {xm['metrics']}")
            check("... and its Pearson r", abs(er - xr) < 1e-3, f"{er} != {xr}")
            c = em["metrics"]["confusion"]
            check("the round trip is not trivial (both signs predicted, and a miss)",
                  sum(r[0] for r in c) > 0 and sum(r[2] for r in c) > 0
                  and em["metrics"]["accuracy"] < 1, str(c))

        # Hand-chosen scores: labels 2, 0, 1 (0.01 is neutral), 2, 0, 0, 0 against gold
        # 2, 0, 2, 0, 2, 0, 0: right on items 1, 2, 6 and 7.
        hand = os.path.join(tmp, "hand.txt")
        with open(hand, "w") as f:
            f.write("0.5\n-0.2\n0.01\n0.3\n-0.05\n-0.9\n-0.7\n")
        out = run(a.earshot, *base, "--scores", hand, "--json")
        m = json.loads(out.stdout)["metrics"] if out.returncode == 0 else {}
        check("hand-chosen scores: the confusion worked out by hand",
              m.get("confusion") == [[3, 0, 1], [0, 0, 0], [1, 1, 1]], str(m.get("confusion")))
        check("hand-chosen scores: accuracy 4/7", abs(m.get("accuracy", 0) - 4 / 7) < 1e-6, str(m))
        out = run(a.earshot, *base, "--scores", hand, "--json", "--positive-threshold", "0.4",
                  "--negative-threshold", "-0.4")
        m = json.loads(out.stdout)["metrics"] if out.returncode == 0 else {}
        check("thresholds +-0.4 move items 2, 4 and 5 to neutral",
              m.get("confusion") == [[2, 2, 0], [0, 0, 0], [0, 2, 1]], str(m.get("confusion")))
        out = run(a.earshot, *base, "--scores", hand, "--positive-threshold", "-0.1")
        check("a positive threshold below the negative one is refused",
              out.returncode != 0 and "--negative-threshold" in out.stderr, out.stderr)

        short = os.path.join(tmp, "short.txt")
        with open(short, "w") as f:
            f.write("0.5\n-0.2\n")
        out = run(a.earshot, *base, "--scores", short)
        check("a short scores file is refused with the counts",
              out.returncode != 0 and f"{short}: 2 scores for 7 texts" in out.stderr, out.stderr)
        bad = os.path.join(tmp, "bad.txt")
        with open(bad, "w") as f:
            f.write("0.5\n-0.2\n0.1\npositive\t?\n0\n0\n0\n")
        out = run(a.earshot, *base, "--scores", bad)
        check("a bad score is refused with file and line",
              out.returncode != 0 and f"{bad}:4: not a number: 'positive'" in out.stderr,
              out.stderr)

    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
