#!/usr/bin/env python3
"""End to end: `earshot aggregate` paging a real Alertmanager about a complaint storm.

Starts, on loopback: the embedded broker (`earshot broker`), `earshot run` and `earshot aggregate`
on examples/stream.yaml (5 s windows, 4 windows of history), and a real Alertmanager (Debian
package `prometheus-alertmanager`) that the aggregator posts to. `earshot generate` feeds ordinary
traffic, then a complaint storm about Nimbus Air from 30 s on.

Checks:
- BrandComplaintStorm reaches Alertmanager for nimbus-air, labelled team=care, severity=page,
  source=earshot-aggregator, with the posts that caused it in its annotations; no other brand
  gets one;
- every record on the alerts topic matches schemas/alert.schema.json, and the storm's firing
  records list complaints; the aggregator's /metrics counts the storm under the labels the
  dashboard's "Aggregator alerts" panel uses;
- the aggregator accounts for every enriched record it read (counted + late + future_time +
  dead-lettered = consumed), and reads everything the service enriched.

Exit 77 (skipped) when prometheus-alertmanager is not installed (scripts/setup.sh installs it).
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time
import urllib.request

from e2e_helpers import free_port, get_json, wait_for

STORM_AT_S = 30
RUN_S = 75


def read_topic(bootstrap, topic):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "e2e-reader",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        meta = c.list_topics(topic, timeout=10)
        parts = [TopicPartition(topic, p, 0) for p in meta.topics[topic].partitions]
        ends = {p.partition: c.get_watermark_offsets(p, timeout=10)[1] for p in parts}
        c.assign(parts)
        out, left = [], sum(ends.values())
        deadline = time.monotonic() + 30
        while left > 0 and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None or m.error():
                continue
            out.append(m)
            left -= 1
        return out
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--earshot", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    alertmanager = shutil.which("prometheus-alertmanager")
    if not alertmanager:
        print("SKIP: prometheus-alertmanager not installed (scripts/setup.sh installs it)")
        return 77
    try:
        import jsonschema
    except ImportError:
        print("SKIP: python3-jsonschema not installed (scripts/setup.sh installs it)")
        return 77
    src = a.source
    config = os.path.join(src, "examples/stream.yaml")
    schema = json.load(open(os.path.join(src, "schemas/alert.schema.json")))
    validator = jsonschema.Draft202012Validator(schema)

    tmp = tempfile.mkdtemp(prefix="earshot-aggregate-")
    procs = []

    def start(name, argv):
        log = open(os.path.join(tmp, name + ".log"), "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=src)
        procs.append((name, p))
        return p

    def read_file(path):
        return open(path).read().strip() if os.path.exists(path) else None

    try:
        # Alertmanager first, on a port found free (retried if taken before it binds).
        am_config = os.path.join(tmp, "alertmanager.yml")
        with open(am_config, "w") as f:
            f.write("route:\n  receiver: care\n  group_wait: 0s\n  group_by: [alertname, brand]\n"
                    "receivers:\n  - name: care\n")
        am = None
        for attempt in range(3):
            port = free_port()
            p = start(f"alertmanager-{attempt}", [
                alertmanager, f"--config.file={am_config}", f"--storage.path={tmp}/am{attempt}",
                f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="])
            try:
                wait_for("Alertmanager", lambda: p.poll() is None and urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/-/ready", timeout=2).status == 200, 30)
                am = f"http://127.0.0.1:{port}"
                break
            except SystemExit:
                if p.poll() is None:
                    raise
        if am is None:
            raise SystemExit("FAIL: Alertmanager exited at start three times")

        topics = ("raw.x,raw.x.v1,raw.reddit,raw.bluesky,raw.mastodon,raw.reviews,"
                  "earshot.enriched,earshot.dead-letter,earshot.alerts")
        bootstrap_file = os.path.join(tmp, "bootstrap")
        start("broker", [a.earshot, "broker", "--partitions", "2", "--topics", topics,
                         "--bootstrap-file", bootstrap_file])
        bootstrap = wait_for("the broker", lambda: read_file(bootstrap_file), 30)
        run_port_file = os.path.join(tmp, "run-port")
        start("earshot-run", [a.earshot, "run", "-c", config, "--bootstrap", bootstrap,
                              "--admin-listen", "127.0.0.1:0", "--admin-port-file",
                              run_port_file, "--duration", str(RUN_S)])
        agg_port_file = os.path.join(tmp, "aggregate-port")
        aggregate = start("earshot-aggregate", [
            a.earshot, "aggregate", "-c", config, "--bootstrap", bootstrap, "--alertmanager", am,
            "--admin-listen", "127.0.0.1:0", "--admin-port-file", agg_port_file,
            "--duration", str(RUN_S + 10)])
        run_admin = wait_for("earshot run's admin port", lambda: read_file(run_port_file), 30)
        agg_admin = wait_for("earshot aggregate's admin port", lambda: read_file(agg_port_file), 30)
        for port in (run_admin, agg_admin):
            wait_for(f"/readyz on {port}", lambda: urllib.request.urlopen(
                f"http://127.0.0.1:{port}/readyz", timeout=2).status == 200, 60)
        start("generator", [a.earshot, "generate", "-c", config, "--to", "kafka", "--bootstrap",
                            bootstrap, "--rate", "300", "--duration", str(RUN_S - 10),
                            "--scenario", "complaint-storm", "--storm-at", str(STORM_AT_S)])

        def storm_alert():
            for alert in get_json(am + "/api/v2/alerts"):
                labels = alert["labels"]
                if labels.get("alertname") == "BrandComplaintStorm" and \
                        labels.get("brand") == "nimbus-air":
                    return alert
            return None
        alert = wait_for("BrandComplaintStorm for nimbus-air at Alertmanager", storm_alert,
                         STORM_AT_S + 40)
        labels, annotations = alert["labels"], alert["annotations"]
        want = {"team": "care", "severity": "page", "source": "earshot-aggregator"}
        if any(labels.get(k) != v for k, v in want.items()):
            raise SystemExit(f"FAIL: storm alert labels: {labels}")
        if not annotations.get("summary", "").startswith("Complaint storm: Nimbus Air had "):
            raise SystemExit(f"FAIL: storm alert summary: {annotations}")
        posts = [line for line in annotations.get("posts", "").splitlines() if line]
        if not posts or not all("http" in line for line in posts):
            raise SystemExit(f"FAIL: storm alert posts: {annotations.get('posts')!r}")
        others = sorted({a["labels"]["brand"] for a in get_json(am + "/api/v2/alerts")
                         if a["labels"]["alertname"] == "BrandComplaintStorm"} - {"nimbus-air"})
        if others:
            raise SystemExit(f"FAIL: complaint storms for {others} too")
        print(f"alertmanager: {labels['alertname']} {labels['brand']}: {annotations['summary']}; "
              f"{len(posts)} posts")
        # The series the dashboard's "Aggregator alerts" panel sums, with the labels it uses.
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{agg_admin}/metrics", timeout=5).read()
        series = ('earshot_aggregator_alerts_total{alertname="BrandComplaintStorm",'
                  'brand="nimbus-air",status="firing"} ')
        found = [l for l in metrics.decode().splitlines() if l.startswith(series)]
        if not found or float(found[0].split()[-1]) < 1:
            raise SystemExit(f"FAIL: no {series.strip()} on the aggregator's /metrics")

        # Stop the generator, let the service and the aggregator catch up, then stop both.
        for name, p in procs:
            if name == "generator" and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=15)
        run_stats = lambda: get_json(f"http://127.0.0.1:{run_admin}/stats")
        agg_stats = lambda: get_json(f"http://127.0.0.1:{agg_admin}/stats")
        wait_for("the aggregator to read every enriched record", lambda: (
            agg_stats()["consumed"] >= run_stats()["enriched"] and agg_stats()["consumed"] > 0), 60)
        aggregate.send_signal(signal.SIGTERM)
        code = aggregate.wait(timeout=30)
        if code != 0:
            raise SystemExit(f"FAIL: earshot aggregate exited {code}")
        log = open(os.path.join(tmp, "earshot-aggregate.log")).read()
        line = [l for l in log.splitlines() if l.startswith("aggregate: consumed ")]
        if not line:
            raise SystemExit("FAIL: no accounting line from earshot aggregate")
        n = [int(x) for x in __import__("re").findall(
            r"consumed (\d+) = counted (\d+) \+ late (\d+) \+ future_time (\d+) \+ "
            r"dead-lettered (\d+)", line[-1])[0]]
        if n[0] != sum(n[1:]) or n[0] == 0:
            raise SystemExit(f"FAIL: accounting: {line[-1]}")
        print(line[-1])

        records = read_topic(bootstrap, "earshot.alerts")
        kinds = {}
        for m in records:
            value = json.loads(m.value())
            errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
            if errors:
                raise SystemExit(f"FAIL: alert record does not match alert.schema.json: "
                                 f"{errors[0].message} in {value}")
            if m.key().decode() != value["brand"]["id"]:
                raise SystemExit(f"FAIL: alert keyed {m.key()!r}, brand {value['brand']['id']}")
            kinds[(value["kind"], value["status"])] = kinds.get((value["kind"], value["status"]), 0) + 1
            if value["kind"] == "complaint_storm" and value["status"] == "firing":
                if not value["posts"] or not all(p["complaint"] for p in value["posts"]):
                    raise SystemExit(f"FAIL: storm record without complaint posts: {value}")
        if ("complaint_storm", "firing") not in kinds:
            raise SystemExit(f"FAIL: no complaint_storm record on earshot.alerts: {kinds}")
        print(f"alerts topic: {len(records)} records match alert.schema.json: "
              f"{dict(sorted(kinds.items()))}")
        print("PASS")
        return 0
    except SystemExit:
        for name, _ in procs:  # what each process said, for the failure report
            lines = open(os.path.join(tmp, name + ".log"), errors="replace").read().splitlines()
            print(f"--- {name}.log (last 15 lines)\n" + "\n".join(lines[-15:]), file=sys.stderr)
        raise
    finally:
        for name, p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if os.environ.get("EARSHOT_KEEP_TMP"):
            print(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
