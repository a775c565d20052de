#!/usr/bin/env python3
"""End-to-end checks of `earshot` through its command line.

- Every post `earshot parse` prints (examples and, when present, every file in ../shared/fixtures)
  validates against schemas/post.schema.json; every rejection line against
  schemas/rejection.schema.json; the summary line's counts match the lines printed.
- The example configs validate against schemas/config.schema.json.
- `check-config` exits 0 on the examples and 2, with file:line:col, on a broken config.
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
