#!/usr/bin/env python3
"""End-to-end checks of `earshot` through its command line.

- Every post `earshot parse` prints (examples and, when present, every file in ../shared/fixtures)
  validates against schemas/post.schema.json; every rejection line against
  schemas/rejection.schema.json; the summary line's counts match the lines printed.
- The example configs validate against schemas/config.schema.json.
- `check-config` exits 0 on the examples and 2, with file:line:col, on a broken config.
- `score` writes valid JSON lines, with any --lang.
- Exit codes: --help and --version 0, usage errors 2, unreadable input 1.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
    import yaml
except ImportError as e:  # setup.sh installs both; say so clearly when run elsewhere
    print(f"SKIP: {e}; run scripts/setup.sh", file=sys.stderr)
    sys.exit(77)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def validate_parse(earshot, files, post_validator, rejection_validator):
    proc = run([earshot, "parse", "--format", "auto", *files])
    check(proc.returncode == 0, f"parse {files[0]}... exited {proc.returncode}: {proc.stderr[-500:]}")
    posts = [json.loads(line) for line in proc.stdout.splitlines() if line]
    for post in posts:
        errors = list(post_validator.iter_errors(post))
        check(not errors, f"post {post.get('id')} from {post.get('origin')}: {errors[:1]}")
    err_lines = proc.stderr.splitlines()
    check(err_lines and err_lines[-1].startswith("summary: "), f"no summary line for {files}")
    rejections = [json.loads(line) for line in err_lines[:-1]]
    for r in rejections:
        errors = list(rejection_validator.iter_errors(r))
        check(not errors, f"rejection {r}: {errors[:1]}")
    m = re.match(r"summary: read (\d+) records, parsed (\d+) posts, skipped (\d+)", err_lines[-1])
    check(m is not None, f"summary line malformed: {err_lines[-1]}")
    if m:
        check(int(m.group(2)) == len(posts), f"summary says {m.group(2)} posts, printed {len(posts)}")
        check(int(m.group(3)) == len(rejections),
              f"summary says {m.group(3)} skipped, printed {len(rejections)}")
    return posts, rejections


def enriched_lines(proc, validator, what):
    records = [json.loads(line) for line in proc.stdout.splitlines() if line]
    for r in records:
        errors = list(validator.iter_errors(r))
        check(not errors, f"{what}: enriched record {r.get('post', {}).get('id')}: {errors[:1]}")
    return records


def validate_enrich(earshot, source, examples, validator):
    """`earshot enrich` output validates against schemas/enriched_post.schema.json; the summary
    counts the printed records; the generator's complaint storm gives complaints with categories,
    priorities and queues from the example config's routing rules."""
    config = os.path.join(source, "examples", "earshot.yaml")
    proc = run([earshot, "enrich", "-q", "-c", config, *examples])
    check(proc.returncode == 0, f"enrich on the examples exited {proc.returncode}: {proc.stderr[-500:]}")
    records = enriched_lines(proc, validator, "enrich examples")
    m = re.search(r"summary: (\d+) posts, (\d+) matched a brand", proc.stderr)
    check(m is not None, f"enrich summary line malformed: {proc.stderr[-300:]}")
    if m:
        check(int(m.group(2)) == len(records), f"enrich says {m.group(2)} matched, printed {len(records)}")
    proc_all = run([earshot, "enrich", "-q", "--all", "-c", config, *examples])
    all_records = enriched_lines(proc_all, validator, "enrich --all")
    if m:
        check(len(all_records) == int(m.group(1)),
              f"enrich --all printed {len(all_records)} records for {m.group(1)} posts")

    gen = subprocess.run([earshot, "generate", "--config", config, "--rate", "1000000", "--count", "3000",
               "--duration", "0", "--scenario", "complaint-storm", "--storm-at", "0", "--seed", "7"],
                         capture_output=True)  # bytes: some generated records are not UTF-8
    check(gen.returncode == 0, f"generate exited {gen.returncode}: {gen.stderr[-300:]}")
    proc = subprocess.run([earshot, "enrich", "-q", "-c", config, "-"], input=gen.stdout,
                          capture_output=True)
    proc.stdout = proc.stdout.decode("utf-8")  # enriched records are always valid UTF-8
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    check(proc.returncode == 0, f"enrich on generated posts exited {proc.returncode}: {proc.stderr[-300:]}")
    records = enriched_lines(proc, validator, "enrich generated")
    complaints = [r for r in records if r["complaint"]["is_complaint"]]
    check(len(records) > 500, f"only {len(records)} generated posts matched a brand")
    check(len(complaints) > 100, f"only {len(complaints)} complaints in a complaint storm")
    queues = {b["queue"] for r in complaints for b in r["brands"]}
    check("care-general" in queues or "care-urgent" in queues, f"complaint queues: {queues}")
    check(all(b["queue"] is not None for r in complaints for b in r["brands"]),
          "every complaint must be routed")
    check(all(r["complaint"]["category"] is not None for r in complaints), "complaints need a category")
    check({r["complaint"]["priority"] for r in complaints} >= {"P3"} and
          len({r["complaint"]["priority"] for r in complaints}) >= 2,
          f"priorities seen: {sorted({r['complaint']['priority'] for r in complaints})}")
    for r in complaints:
        pf = r["complaint"]["priority_factors"]
        points = sum(f["points"] for f in pf)
        level = {"P1": 6, "P2": 4, "P3": 1}.get(r["complaint"]["priority"], 0)
        check(points >= level, f"priority {r['complaint']['priority']} with {points} points: {pf}")
    others = [r for r in records if r["intent"] == ["other"]]
    check(all(r["complaint"]["queue"] is None for r in others), "posts with intent other are not routed")

    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("inputs:\n  - {name: a, file: x}\nbrands:\n  - {id: b, query: b}\n"
                    "complaints:\n  routing:\n    rules:\n      - {brand: nope, queue: q}\n")
        proc = run([earshot, "enrich", "-c", bad, "/dev/null"])
        check(proc.returncode == 2, f"enrich with a bad complaints section exited {proc.returncode}")
        check(f"{bad}:8:17: unknown brand 'nope' in complaints.routing.rules[0]" in proc.stderr,
              f"bad complaints config error text: {proc.stderr}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--earshot", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--shared", required=True)
    args = ap.parse_args()
    schemas = os.path.join(args.source, "schemas")
    load = lambda name: json.load(open(os.path.join(schemas, name)))
    post_v = jsonschema.Draft202012Validator(load("post.schema.json"))
    rej_v = jsonschema.Draft202012Validator(load("rejection.schema.json"))
    config_v = jsonschema.Draft202012Validator(load("config.schema.json"))
    enriched_v = jsonschema.Draft202012Validator(load("enriched_post.schema.json"))

    examples = sorted(glob.glob(os.path.join(args.source, "examples", "streams", "*")))
    posts, rejections = validate_parse(args.earshot, examples, post_v, rej_v)
    check(len(posts) >= 10, f"examples gave only {len(posts)} posts")
    reasons = {r["reason"] for r in rejections}
    for expected in ("malformed_json", "stream_error", "unsupported_event", "not_a_post", "deleted"):
        check(expected in reasons, f"examples should exercise rejection reason {expected}")

    fixtures = os.path.join(args.shared, "fixtures")
    if os.path.isdir(fixtures):
        for path in sorted(glob.glob(os.path.join(fixtures, "*", "*"))):
            if path.endswith("manifest.json"):
                continue
            posts, _ = validate_parse(args.earshot, [path], post_v, rej_v)
            check(len(posts) > 0, f"{path} gave no posts")
    else:
        print(f"note: {fixtures} is absent; fixture outputs not validated", file=sys.stderr)

    for config in sorted(glob.glob(os.path.join(args.source, "examples", "*.yaml"))):
        doc = yaml.safe_load(open(config))
        errors = list(config_v.iter_errors(doc))
        check(not errors, f"{config} does not match config.schema.json: {errors[:1]}")
        proc = run([args.earshot, "check-config", config])
        check(proc.returncode == 0, f"check-config {config} exited {proc.returncode}: {proc.stderr}")

    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("inputs:\n  - name: a\n    file: x\n    formt: reddit\n")
        proc = run([args.earshot, "check-config", bad])
        check(proc.returncode == 2, f"check-config on a bad file exited {proc.returncode}")
        check(f"{bad}:4:5: unknown key 'formt' in inputs[0]; did you mean 'format'?" in proc.stderr,
              f"check-config error text: {proc.stderr}")
        check(list(config_v.iter_errors(yaml.safe_load(open(bad)))),
              "the schema should reject the bad config too")

    validate_enrich(args.earshot, args.source, examples, enriched_v)

    # `score` writes one JSON object a line, whatever the language tag holds.
    for lang in ("en", "fr", 'x"y\\'):
        proc = run([args.earshot, "score", "--lang", lang], input="I love it\nthis is awful\n")
        check(proc.returncode == 0, f"score --lang {lang!r} exited {proc.returncode}: {proc.stderr}")
        try:
            scores = [json.loads(line) for line in proc.stdout.splitlines()]
        except json.JSONDecodeError as e:
            scores = []
            check(False, f"score --lang {lang!r} wrote invalid JSON ({e}): {proc.stdout!r}")
        check(len(scores) == 2, f"score --lang {lang!r} gave {len(scores)} lines")
        if lang == "en" and len(scores) == 2:
            check(scores[0]["label"] == "positive" and scores[1]["label"] == "negative",
                  f"score: {scores}")
        elif len(scores) == 2:
            check(all(s["label"] == "unsupported" and lang in s["reason"] for s in scores),
                  f"score --lang {lang!r}: {scores}")

    check(run([args.earshot, "--help"]).returncode == 0, "--help should exit 0")
    check(run([args.earshot, "--version"]).returncode == 0, "--version should exit 0")
    check(run([args.earshot, "parse", "--help"]).returncode == 0, "parse --help should exit 0")
    check(run([args.earshot]).returncode == 2, "no subcommand should exit 2")
    check(run([args.earshot, "parse", "--format", "nope"]).returncode == 2, "bad format: exit 2")
    check(run([args.earshot, "parse", "/nonexistent/file.json"]).returncode == 1,
          "unreadable input: exit 1")

    if failures:
        print(f"{len(failures)} failed", file=sys.stderr)
        return 1
    print("cli and schema checks: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
