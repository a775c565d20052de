#!/usr/bin/env python3
"""Assembles the libFuzzer seed corpora: one directory per target under OUT.

Seeds come from examples/streams in the repo and, when present, from the shared fixtures
(../shared/fixtures, never copied into the repo). JSON Lines files are split into one seed per
record; JSON documents are split into their largest array's elements plus a copy of the document
with that array cut to two elements; SSE streams are kept whole for the framing target and split
into their `data:` payloads for the Mastodon target; the TWCS CSV is cut into small chunks that
each keep the header. A few hand-written seeds cover the generic mapping and the config loader.

Usage: make_corpus.py --source REPO --shared SHARED_DIR --out OUT_DIR
"""
import argparse
import hashlib
import json
import os
import sys

MAX_SEED = 64 * 1024   # matches -max_len in scripts/fuzz.sh
MAX_PER_FILE = 300     # records taken from one file (the Amazon sample has ~3,000)

# target -> (fixture paths under fixtures/, example streams under examples/streams/)
SOURCES = {
    "x_v2": (["twitter_v2/twarc-csv_streaming_output.jsonl",
              "twitter_v2/twarc-csv_streaming_output_with_error.jsonl",
              "twitter_v2/twarc-csv_kpop_search_page.jsonl"], ["x_v2_stream.jsonl"]),
    "x_v1": (["twitter_v1/python-twitter_streaming_lines.jsonl",
              "twitter_v1/simdjson_twitter.json"], ["x_v1_stream.jsonl"]),
    "reddit": (["reddit/pushshift-importer_test_comments.ndjson",
                "reddit/pushshift-importer_test_submissions.ndjson",
                "reddit/go-reddit_search-posts_listing.json"], ["reddit_comments.ndjson"]),
    "bluesky": (["bluesky/jetstream_corpus_expected_v1.jsonl",
                 "bluesky/jetstream_subscribe_golden_v1.jsonl"], ["bluesky_jetstream.jsonl"]),
    "mastodon": (["mastodon/mastodon-docs_streaming_examples.sse",
                  "mastodon/mastodon4j_public_timeline.json",
                  "mastodon/mastodon-docs_Status_entity_example.json"], ["mastodon_stream.sse"]),
    "yelp": (["yelp/yelp_academic_dataset_review.head.json"], ["reviews.jsonl"]),
    "amazon": (["amazon/amazon2018_Gift_Cards_5.json"], ["reviews.jsonl"]),
    "app_store_rss": (["app_reviews/appvox_itunes_rss_reviews.json"], ["reviews.jsonl"]),
    "app_scraper": (["app_reviews/googleplay-scraper_mox_ps-reviews.json",
                     "app_reviews/appstore-scraper_mox_as-reviews.json"], ["reviews.jsonl"]),
    "generic": ([], ["reviews.jsonl"]),
}

# Records shaped for the fixed mapping in fuzz_ingest.cc (/id, /body/text, /ts, /user/..., ...).
GENERIC_SEEDS = [
    {"id": "g-1", "body": {"text": "Parcelly lost my parcel &amp; again"}, "title": "Lost",
     "ts": "2026-11-20T08:15:02Z", "user": {"id": 42, "handle": "sam", "name": "Sam",
                                           "followers": "1,204"},
     "lang": "en", "url": "https://example.com/g-1", "stars": 2.5, "parent": "g-0",
     "meta": [{"community": "couriers"}], "counts": {"likes": 3, "reposts": "4", "replies": 1.0}},
    {"id": 18446744073709551615, "body": {"text": "ids above 2^53"}, "ts": 1795594801000},
    {"id": "g-3", "body": {"text": "epoch seconds as string"}, "ts": "1795594801",
     "stars": "4", "meta": []},
    {"id": "g-4", "body": {"text": "x"}, "ts": "Fri Nov 20 08:17:03 +0000 2026",
     "user": None, "counts": None},
]

CONFIG_SEEDS = [
    "inputs:\n  - name: a\n    topic: t\n    format: generic\n    mapping:\n      id: /id\n"
    "      text: /body/text\n      created_at: /ts\nbrands:\n  - id: b\n    name: B\n"
    "    query: 'b OR \"c d\"'\n",
    "inputs: []\n",
    "kafka:\n  bootstrap: localhost:9092\n  properties:\n    acks: all\nlimits:\n"
    "  max_record_bytes: 10\n",
    "inputs:\n  - {name: x, file: f.jsonl, format: x_v1, topic: both}\n",
    "brands:\n  - id: a\n    tags: [1, 2, {x: y}]\n    query: &q 'a'\n  - id: b\n    query: *q\n",
]


QUERY_SEEDS = [
    '"nimbus air" OR @NimbusAir\n\nJust flew Nimbus Air, never again',
    'brightbean AND (coffee OR roast*) NOT "bean counter"\nspam\nBrightbean roast is great',
    'case:"ACME" OR url:acme.com OR #acme\n\nACME support at https://acme.com #acme',
    '"\u30d1\u30fc\u30bb\u30ea\u30fc" OR parcelly\n\n\u30d1\u30fc\u30bb\u30ea\u30fc\u304c\u9045\u3044',
    'NEAR/3(late delivery) OR (parcel* -ly)\n\nmy parcel delivery is late again',
]

SENTIMENT_SEEDS = [
    "I don't love it, but the crew was GREAT!!! :) <3",
    "not so good... kind of on hold for an hour, still no refund :-(",
    "sooo goooood \U0001F60D\U0001F3FD and caf\u00e9 isn\u2019t bad; xd: 8) D:",
    "@united at least they tried. http://x.y/z www.example.com #fail",
    "never so happy (really)!? \u201cquoted\u201d \u2014 done. x-ray o'clock-ish snake_case",
    "a" * 40 + "! " + "B" * 33 + ", ok",
]


def write_seed(out_dir, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip() or len(data) > MAX_SEED:
        return 0
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(out_dir, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return 1


def largest_array(node, path=()):
    """(path, list) of the longest list inside node, or (None, None)."""
    best = (None, None)
    if isinstance(node, list):
        best = (path, node)
        items = enumerate(node)
    elif isinstance(node, dict):
        items = node.items()
    else:
        return best
    for key, child in items:
        p, arr = largest_array(child, path + (key,))
        if arr is not None and (best[1] is None or len(arr) > len(best[1])):
            best = (p, arr)
    return best


def split_document(data):
    """Seeds from one JSON document: the whole (if small), its largest array's elements, and the
    document with that array cut to two elements."""
    seeds = [data]
    try:
        doc = json.loads(data)
    except ValueError:
        return seeds
    path, arr = largest_array(doc)
    if arr is None or len(arr) < 2:
        return seeds
    for item in arr[:MAX_PER_FILE]:
        seeds.append(json.dumps(item, ensure_ascii=False))
    if not path:
        seeds.append(json.dumps(arr[:2], ensure_ascii=False))
    else:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = arr[:2]
        seeds.append(json.dumps(doc, ensure_ascii=False))
    return seeds


def sse_payloads(text):
    return [line[5:].lstrip(" ") for line in text.splitlines() if line.startswith("data:")]


def records_of(path):
    """Seeds for a per-format target from one file."""
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", errors="replace")
    if path.endswith(".sse"):
        return sse_payloads(text)
    stripped = text.lstrip()
    lines = [l for l in raw.split(b"\n") if l.strip()]
    if stripped.startswith("{") and len(lines) > 1:
        # JSON Lines when the first line is a value on its own.
        try:
            json.loads(lines[0])
            return lines[:MAX_PER_FILE]
        except ValueError:
            pass
    return split_document(raw)


def csv_chunks(path, rows_per_chunk=8, chunks=40):
    with open(path, "rb") as f:
        raw = f.read()
    header, _, body = raw.partition(b"\n")
    # Chunk at physical lines; quoted fields with newlines may be cut, which is a useful seed too.
    lines = body.split(b"\n")
    seeds = []
    for i in range(0, min(len(lines), rows_per_chunk * chunks), rows_per_chunk):
        seeds.append(header + b"\n" + b"\n".join(lines[i:i + rows_per_chunk]) + b"\n")
    return seeds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    fixtures = os.path.join(args.shared, "fixtures")
    streams = os.path.join(args.source, "examples", "streams")
    have_fixtures = os.path.isdir(fixtures)
    if not have_fixtures:
        print(f"make_corpus: {fixtures} absent; seeding from examples/streams only", file=sys.stderr)

    counts = {}
    auto_dir = os.path.join(args.out, "auto")
    os.makedirs(auto_dir, exist_ok=True)
    counts["auto"] = 0
    for target, (fixture_files, stream_files) in SOURCES.items():
        out_dir = os.path.join(args.out, target)
        os.makedirs(out_dir, exist_ok=True)
        n = 0
        paths = [os.path.join(streams, s) for s in stream_files]
        if have_fixtures:
            paths += [os.path.join(fixtures, p) for p in fixture_files]
        for path in paths:
            if not os.path.exists(path):
                continue
            recs = records_of(path)
            for rec in recs:
                n += write_seed(out_dir, rec)
            # The auto target: whole small files (framing) and a few records of each.
            with open(path, "rb") as f:
                counts["auto"] += write_seed(auto_dir, f.read())
            for rec in recs[:10]:
                counts["auto"] += write_seed(auto_dir, rec)
        counts[target] = n
    for seed in GENERIC_SEEDS:
        counts["generic"] += write_seed(os.path.join(args.out, "generic"),
                                        json.dumps(seed, ensure_ascii=False))

    twcs_dir = os.path.join(args.out, "twcs_csv")
    os.makedirs(twcs_dir, exist_ok=True)
    counts["twcs_csv"] = write_seed(
        twcs_dir,
        'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n'
        '1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,"a ""quoted""\nmultiline, text",2,3.0\n'
        '2,115712,True,Tue Oct 31 22:11:45 +0000 2017,@sprintcare hi,"4,5",\n')
    if have_fixtures:
        for seed in csv_chunks(os.path.join(fixtures, "support_tweets", "twcs_small.csv")):
            counts["twcs_csv"] += write_seed(twcs_dir, seed)
            if counts["twcs_csv"] <= 3:
                counts["auto"] += write_seed(auto_dir, seed)

    config_dir = os.path.join(args.out, "config")
    os.makedirs(config_dir, exist_ok=True)
    counts["config"] = 0
    for name in ("earshot.yaml", "kafka-inputs.yaml"):
        path = os.path.join(args.source, "examples", name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                counts["config"] += write_seed(config_dir, f.read())
    for seed in CONFIG_SEEDS:
        counts["config"] += write_seed(config_dir, seed)

    # Brand queries (fuzz_query): a query, then an exclude line, then a post.
    query_dir = os.path.join(args.out, "query")
    os.makedirs(query_dir, exist_ok=True)
    counts["query"] = 0
    for seed in QUERY_SEEDS:
        counts["query"] += write_seed(query_dir, seed)

    # Sentiment (fuzz_sentiment): a control byte (0: no masks), then a text; the VADER tweets
    # gold set when the shared data is there.
    sentiment_dir = os.path.join(args.out, "sentiment")
    os.makedirs(sentiment_dir, exist_ok=True)
    counts["sentiment"] = 0
    for seed in SENTIMENT_SEEDS:
        counts["sentiment"] += write_seed(sentiment_dir, "\x00" + seed)
    gold = os.path.join(args.shared, "data", "sentiment", "vader_gold", "tweets_GroundTruth.txt")
    if os.path.exists(gold):
        with open(gold, encoding="utf-8", errors="replace") as f:
            for i, line in enumerate(f):
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3 and i % 10 == 0:
                    control = chr(i % 8)  # some with masks and the language tag
                    counts["sentiment"] += write_seed(sentiment_dir, control + "\x02\x09" + parts[2])

    for target in sorted(counts):
        print(f"  corpus {target}: {counts[target]} new seeds")


if __name__ == "__main__":
    main()
