#!/usr/bin/env bash
# Before/after runs of two Herald builds on this machine, in alternation, driven by one load tool,
# for changes that must keep (or move) a figure: each run starts a fresh `herald serve` from the
# given jar, measures, and stops it by its PID.
#
#   bench/ab.sh fanout    before old.jar after herald-cli/target/herald.jar
#   bench/ab.sh templates before old.jar after herald-cli/target/herald.jar
#
# Modes:
#   fanout     every subscriber on one topic (`fanout,fanout`: a warm-up run, then the quoted one),
#              1,000 subscribers x 1,000 updates/s and 5,000 x 100/s; the hub with its defaults
#              (durable history, fsync always).
#   templates  the topics scenario where each subscriber's selector is a URI template of its own
#              (`https://ex.com/bench-N{?v}`), so every update meets every live template: the case
#              the topic-match cache serves; 2,000 subscribers on 200 templates and 5,000 on 1,000,
#              1,000 updates/s round-robin, memory history.
# Env: AB_PAIRS (default 2) pairs per size, the order flipped every other pair; AB_TOOL_JAR, the jar
# whose `bench` drives both (default: the first jar, so the tool is the same for both sides);
# AB_OUT (default target/ab) for the JSON reports; AB_SIZES to choose the sizes, e.g.
# "5000:100,1000:1000" (subscribers:updates/s, or subscribers:templates). Prints one line per run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=${1:?mode: fanout or templates}
label_a=${2:?label}; jar_a=${3:?jar}; label_b=${4:?label}; jar_b=${5:?jar}
PAIRS=${AB_PAIRS:-2}
TOOL=${AB_TOOL_JAR:-$jar_a}
OUT=${AB_OUT:-$root/target/ab}
KEY="herald-bench-key-that-is-long-enough-for-hs256"
PORT=18950
mkdir -p "$OUT"

run() { # label jar subscribers rate-or-templates
  local label=$1 jar=$2 subs=$3 n=$4 data pid token json
  data=$(mktemp -d)
  json="$OUT/$mode-$label-$subs.json"
  local history=()
  [ "$mode" = templates ] && history=(--history memory)
  java -jar "$jar" serve --addr 127.0.0.1:$PORT --anonymous --publisher-jwt-key "$KEY" --data-dir "$data" \
    --max-connections-per-address 0 "${history[@]}" > "$OUT/$mode-$label.log" 2>&1 &
  pid=$!
  for _ in $(seq 120); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" && break; sleep 0.25; done
  token=$(java -jar "$jar" token --key "$KEY" --publish '*' | tail -1)
  local args=(--label "$label" --subscribers "$subs" --warmup 3s --duration 10s --quiet --json "$json"
    --target-pid "$pid" --publish-url "http://127.0.0.1:$PORT/.well-known/mercure"
    --publish-header "Authorization: Bearer $token")
  if [ "$mode" = fanout ]; then
    java -jar "$TOOL" bench "${args[@]}" --scenario fanout,fanout --rate "$n" \
      --subscribe-url "http://127.0.0.1:$PORT/.well-known/mercure?topic={topic}" > /dev/null
  else
    java -jar "$TOOL" bench "${args[@]}" --scenario topics --topics "$n" --topics-rate 1000 \
      --subscribe-url "http://127.0.0.1:$PORT/.well-known/mercure?topic=https%3A%2F%2Fex.com%2F{topic}%7B%3Fv%7D" \
      --publish-body "topic=https%3A%2F%2Fex.com%2F{topic}&data={data}" > /dev/null
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  python3 - "$json" "$label" "$mode" "$n" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))[-1]
what = f"x {sys.argv[4]}/s" if sys.argv[3] == "fanout" else f"on {sys.argv[4]} templates"
print(f"{sys.argv[2]:10} {w['subscribers']:>5} subs {what}: {w['publishedPerSec']:,.0f} updates/s, "
      f"{w['deliveriesPerSec']:,.0f} deliveries/s, p50 {w['p50Ms']} ms, p99 {w['p99Ms']} ms, "
      f"hub {w.get('targetCpuCores')} cores, lost {w['lost']}, dup {w['duplicated']}")
PY
}

if [ -n "${AB_SIZES:-}" ]; then
  IFS=, read -ra sizes <<< "${AB_SIZES//:/ }"
elif [ "$mode" = fanout ]; then sizes=("1000 1000" "5000 100"); else sizes=("2000 200" "5000 1000"); fi
echo "ab: $mode, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M) UTC"
for ((i = 0; i < PAIRS; i++)); do
  for size in "${sizes[@]}"; do
    set -- $size
    if (( i % 2 == 0 )); then
      run "$label_a" "$jar_a" "$1" "$2"; run "$label_b" "$jar_b" "$1" "$2"
    else
      run "$label_b" "$jar_b" "$1" "$2"; run "$label_a" "$jar_a" "$1" "$2"
    fi
  done
done
