#!/usr/bin/env bash
# helm/earshot/files/prometheus-rules.yaml: valid (`promtool check rules`) and each alert firing
# and silent where tests/prometheus/rules_test.yaml says (`promtool test rules`). Exit 77
# (skipped) without promtool (Debian package prometheus; scripts/setup.sh installs it).
set -euo pipefail
src=${1:?usage: prometheus_rules_test.sh REPO}
if ! command -v promtool >/dev/null; then
  echo "SKIP: promtool not installed (Debian package prometheus; scripts/setup.sh installs it)"
  exit 77
fi
promtool check rules "$src/helm/earshot/files/prometheus-rules.yaml"
promtool test rules "$src/tests/prometheus/rules_test.yaml"
