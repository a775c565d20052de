#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the demo — earshot's
# streaming service on an embedded Kafka broker, fed by its own generator, with a complaint storm
# about one brand 25 s in; `earshot aggregate` windows the enriched topic per brand and pages
# Alertmanager about the storm with the posts that caused it, and Prometheus scrapes both
# (helm/earshot/files/prometheus-rules.yaml loaded) and pages too. Runs for DEMO_SECONDS (default
# 45) or until Ctrl-C.
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
  for pid in "${run_pid:-}" "${agg_pid:-}" "${prom_pid:-}" "${am_pid:-}" "${broker_pid:-}" \
    "${gen_pid:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$tmp" "$tmp_parse"
}
trap cleanup EXIT

topics=raw.x,raw.x.v1,raw.reddit,raw.bluesky,raw.mastodon,raw.reviews,earshot.enriched,earshot.dead-letter,earshot.alerts
"$earshot" broker --partitions 12 --topics "$topics" --bootstrap-file "$tmp/bootstrap" >/dev/null &
broker_pid=$!
for _ in $(seq 1 100); do [[ -s "$tmp/bootstrap" ]] && break; sleep 0.1; done
bootstrap=$(cat "$tmp/bootstrap")

echo
echo "== earshot run on the embedded broker at $bootstrap for ${seconds}s (Ctrl-C stops it)"
echo "   generator: 400 posts/s in six source formats; complaint storm about Nimbus Air from 25s"
"$earshot" generate -c examples/stream.yaml --to kafka --bootstrap "$bootstrap" --rate 400 \
  --duration "$seconds" --scenario complaint-storm --storm-at 25 2>/dev/null &
gen_pid=$!
"$earshot" run -c examples/stream.yaml --bootstrap "$bootstrap" --summary --duration "$seconds" \
  --admin-listen 127.0.0.1:0 --admin-port-file "$tmp/admin-port" &
run_pid=$!
for _ in $(seq 1 100); do [[ -s "$tmp/admin-port" ]] && break; sleep 0.1; done

# Prometheus scrapes earshot's /metrics every second with earshot's alerting rules and sends what
# fires to Alertmanager. The demo lasts seconds, not minutes: its copy of the rules pages on the
# brand alerts at once (their `for:` set to 0s).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
if [[ -s "$tmp/admin-port" ]] && command -v prometheus >/dev/null &&
  command -v prometheus-alertmanager >/dev/null; then
  am_port=$(free_port)
  printf 'route:\n  receiver: care\n  group_wait: 0s\n  group_by: [alertname, brand]\nreceivers:\n  - name: care\n' \
    >"$tmp/alertmanager.yml"
  prometheus-alertmanager --config.file="$tmp/alertmanager.yml" --storage.path="$tmp/am" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$tmp/am.log" 2>&1 &
  am_pid=$!
  # The aggregator: 5 s windows per brand (examples/stream.yaml, section aggregator), alerts to
  # topic earshot.alerts and to Alertmanager.
  "$earshot" aggregate -c examples/stream.yaml --bootstrap "$bootstrap" \
    --alertmanager "http://127.0.0.1:$am_port" --duration "$((seconds + 5))" \
    --admin-listen 127.0.0.1:0 --admin-port-file "$tmp/aggregate-port" 2>"$tmp/aggregate.log" &
  agg_pid=$!
  for _ in $(seq 1 100); do [[ -s "$tmp/aggregate-port" ]] && break; sleep 0.1; done
  rules=helm/earshot/files/prometheus-rules.yaml
  service_group=$(grep -n '^  - name: earshot-service' "$rules" | cut -d: -f1)
  {
    head -n $((service_group - 1)) "$rules" | sed -E 's/^( +)for: .+$/\1for: 0s/'
    tail -n +"$service_group" "$rules"
  } >"$tmp/rules.yaml"
  prom_port=$(free_port)
  {
    echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
    echo "rule_files: [$tmp/rules.yaml]"
    echo "alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$am_port']}]}]}"
    echo "scrape_configs:"
    echo "  - {job_name: earshot, static_configs: [{targets: ['127.0.0.1:$(cat "$tmp/admin-port")']}]}"
    echo "  - {job_name: earshot-aggregator, static_configs: [{targets: ['127.0.0.1:$(cat "$tmp/aggregate-port")']}]}"
  } >"$tmp/prometheus.yml"
  prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
    --web.listen-address="127.0.0.1:$prom_port" >"$tmp/prom.log" 2>&1 &
  prom_pid=$!
  echo "   earshot aggregate: 5 s windows per brand; alerts to topic earshot.alerts and Alertmanager"
  echo "   Prometheus http://127.0.0.1:$prom_port (earshot's rules); Alertmanager http://127.0.0.1:$am_port"
fi
wait "$run_pid" || true
run_pid=
kill "$gen_pid" 2>/dev/null || true

if [[ -n "${am_pid:-}" ]]; then
  # Let the aggregator close the storm's last windows and post them.
  sleep 6
  echo
  echo "== alerts Alertmanager received (team, severity, alert, summary): Brand* from earshot"
  echo "   aggregate, with the posts that caused them; Earshot* from Prometheus's rules"
  python3 -c '
import json, sys, urllib.request
alerts = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v2/alerts", timeout=5))
shown_posts = False
for a in sorted(alerts, key=lambda a: (a["labels"].get("team", ""), a["labels"]["alertname"],
                                       a["startsAt"])):
    labels = a["labels"]
    print("%-9s%-8s%-24s%s" % (labels.get("team", ""), labels.get("severity", ""),
                               labels["alertname"], a["annotations"].get("summary", "")))
    if labels["alertname"] == "BrandComplaintStorm" and not shown_posts:
        shown_posts = True
        for line in a["annotations"].get("posts", "").splitlines()[:3]:
            print("           post: " + line[:150])
if not alerts:
    print("(none yet: the storm starts 25 s in; try DEMO_SECONDS=60)")
' "http://127.0.0.1:$am_port" || true
  kill "$agg_pid" 2>/dev/null || true
  wait "$agg_pid" 2>/dev/null || true
  agg_pid=
  grep '^aggregate: consumed' "$tmp/aggregate.log" || true
  echo
  echo "== the first two alert records on topic earshot.alerts (schemas/alert.schema.json)"
  kcat -C -b "$bootstrap" -t earshot.alerts -o beginning -c 2 -e -q -f 'key=%k %s\n' | cut -c1-400
fi

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
