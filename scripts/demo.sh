#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the demo — earshot's
# streaming service on an embedded Kafka broker, fed by its own generator, with a complaint storm
# about one brand 20 s in. Runs for DEMO_SECONDS (default 45) or until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
tmp_parse=$(mktemp)
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DEARSHOT_BUILD_TESTS=OFF \
  -DEARSHOT_BUILD_BENCH=OFF >/dev/null
cmake --build build/demo --parallel "$(nproc)" --target earshot
earshot=build/demo/earshot
seconds=${DEMO_SECONDS:-45}

echo
echo "== earshot check-config examples/stream.yaml"
"$earshot" check-config examples/stream.yaml
echo
echo "== earshot parse: one post per line from earshot's example streams (first 3, cut at 200 chars)"
{ "$earshot" parse --format auto examples/streams/* 2>"$tmp_parse" | head -n 3 | cut -c1-200; } || true
tail -n 1 "$tmp_parse"

tmp=$(mktemp -d)
cleanup() {
  [[ -n "${broker_pid:-}" ]] && kill "$broker_pid" 2>/dev/null || true
  [[ -n "${gen_pid:-}" ]] && kill "$gen_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp" "$tmp_parse"
}
trap cleanup EXIT

topics=raw.x,raw.x.v1,raw.reddit,raw.bluesky,raw.mastodon,raw.reviews,earshot.enriched,earshot.dead-letter
"$earshot" broker --partitions 12 --topics "$topics" --bootstrap-file "$tmp/bootstrap" >/dev/null &
broker_pid=$!
for _ in $(seq 1 100); do [[ -s "$tmp/bootstrap" ]] && break; sleep 0.1; done
bootstrap=$(cat "$tmp/bootstrap")

echo
echo "== earshot run on the embedded broker at $bootstrap for ${seconds}s (Ctrl-C stops it)"
echo "   generator: 400 posts/s in six source formats; complaint storm about Nimbus Air from 20s"
"$earshot" generate -c examples/stream.yaml --to kafka --bootstrap "$bootstrap" --rate 400 \
  --duration "$seconds" --scenario complaint-storm --storm-at 20 2>/dev/null &
gen_pid=$!
"$earshot" run -c examples/stream.yaml --bootstrap "$bootstrap" --summary --duration "$seconds" \
  --admin-listen 127.0.0.1:0 || true
kill "$gen_pid" 2>/dev/null || true

echo
echo "== three enriched records, read back from topic earshot.enriched with kcat"
kcat -C -b "$bootstrap" -t earshot.enriched -o beginning -c 3 -e -q -f 'key=%k %s\n' | cut -c1-400
echo
echo "== one dead letter (headers carry the source position and the reason)"
kcat -C -b "$bootstrap" -t earshot.dead-letter -o beginning -c 1 -e -q -f '%h\n'
echo
echo "The enriched topic lives on the broker while it runs: start one with"
echo "  $earshot broker --topics $topics"
echo "and read it with: kcat -C -b <bootstrap> -t earshot.enriched"
