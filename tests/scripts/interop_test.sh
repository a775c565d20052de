#!/usr/bin/env bash
# Independent Kafka clients against earshot's embedded broker: kcat produces earshot's example
# streams into the raw topics, `earshot run` (kafka.bootstrap: embedded) enriches them, and
# kafka-python (Debian's python3-kafka) reads the enriched topic back in a consumer group.
# Usage: interop_test.sh EARSHOT_BINARY SOURCE_DIR
set -euo pipefail
earshot=$1
src=$2
command -v kcat >/dev/null || { echo "SKIP: kcat is not installed (scripts/setup.sh)"; exit 77; }
/usr/bin/python3 -c 'import kafka' 2>/dev/null || { echo "SKIP: python3-kafka is missing"; exit 77; }

tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
sed -e 's/^  group_id: .*/  group_id: interop-'"$$"'/' "$src/examples/stream.yaml" > "$tmp/stream.yaml"
"$earshot" run -c "$tmp/stream.yaml" --bootstrap-file "$tmp/bootstrap" --duration 60 \
  2>"$tmp/run.log" &
pid=$!
for _ in $(seq 1 100); do [[ -s "$tmp/bootstrap" ]] && break; sleep 0.1; done
bootstrap=$(cat "$tmp/bootstrap")

kcat -P -b "$bootstrap" -t raw.x -l "$src/examples/streams/x_v2_stream.jsonl"
kcat -P -b "$bootstrap" -t raw.x.v1 -l "$src/examples/streams/x_v1_stream.jsonl"
kcat -P -b "$bootstrap" -t raw.reddit -l "$src/examples/streams/reddit_comments.ndjson"
kcat -P -b "$bootstrap" -t raw.bluesky -l "$src/examples/streams/bluesky_jetstream.jsonl"
kcat -P -b "$bootstrap" -t raw.reviews -l "$src/examples/streams/reviews.jsonl"

# The examples hold 9 enriched records: earshot match over the same files says which.
expected=$("$earshot" match -q -c "$src/examples/stream.yaml" \
  "$src/examples/streams/x_v2_stream.jsonl" "$src/examples/streams/x_v1_stream.jsonl" \
  "$src/examples/streams/reddit_comments.ndjson" "$src/examples/streams/bluesky_jetstream.jsonl" \
  "$src/examples/streams/reviews.jsonl" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(sum(len(json.loads(l)["brands"]) for l in sys.stdin))')

/usr/bin/python3 - "$bootstrap" "$expected" <<'PY'
import json, sys, time
from kafka import KafkaConsumer
bootstrap, expected = sys.argv[1], int(sys.argv[2])
consumer = KafkaConsumer("earshot.enriched", bootstrap_servers=bootstrap.split(","),
                         group_id="interop-reader", auto_offset_reset="earliest",
                         consumer_timeout_ms=1000, api_version_auto_timeout_ms=10000)
records, deadline = [], time.time() + 45
while len(records) < expected and time.time() < deadline:
    for message in consumer:
        records.append(message)
consumer.close()
keys = sorted({m.key.decode() for m in records})
ids = sorted(json.loads(m.value)["post"]["id"] for m in records)
print(f"kafka-python read {len(records)} enriched records (expected {expected}); brands {keys}")
assert len(records) == expected, (len(records), expected)
assert all(json.loads(m.value)["brand"]["id"] == m.key.decode() for m in records)
assert set(keys) <= {"nimbus-air", "brightbean", "parcelly"}
PY
kill -TERM "$pid"
wait "$pid"
echo "interop: all passed"
