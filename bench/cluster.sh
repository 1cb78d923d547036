#!/usr/bin/env bash
# Cluster benchmark: one redis-server and N Herald nodes on this machine, one load tool that
# spreads its subscribers and its publishes round-robin over the nodes, as a load balancer would.
# Every update goes through the Redis stream, so even N=1 measures the clustered path.
#
#   bench/cluster.sh                                   # 1, 2 and 3 nodes, 2,000 subscribers, 100 updates/s
#   CLUSTER_NODES=3 CLUSTER_SUBSCRIBERS=10000 CLUSTER_RATE=20 bench/cluster.sh
#
# Writes one JSON report per node count under target/bench/cluster/ and prints a line each (the
# second, warm scenario). Needs redis-server (Debian package redis-server). Loopback only; every
# process it starts is stopped by PID before the next node count runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

NODES=${CLUSTER_NODES:-1,2,3}
SUBSCRIBERS=${CLUSTER_SUBSCRIBERS:-2000}
RATE=${CLUSTER_RATE:-100}
DURATION=${CLUSTER_DURATION:-10s}
WARMUP=${CLUSTER_WARMUP:-3s}
REDIS_PORT=${CLUSTER_REDIS_PORT:-16390}
BASE_PORT=${CLUSTER_BASE_PORT:-18600}
OUT=${CLUSTER_OUT:-$root/target/bench/cluster}
KEY="herald-bench-key-that-is-long-enough-for-hs256"

log() { echo "cluster: $*" >&2; }

command -v redis-server >/dev/null || { log "redis-server is missing (apt-get install redis-server)"; exit 1; }
./herald --version >/dev/null # builds the jar when stale
jar="$root/herald-cli/target/herald.jar"
mkdir -p "$OUT"

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

wait_ready() {
  for _ in $(seq 120); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.25
  done
  log "not ready: $1"; return 1
}

token=$(java -jar "$jar" token --key "$KEY" --publish '*' | tail -1)

for n in ${NODES//,/ }; do
  log "$n node(s), $SUBSCRIBERS subscribers, $RATE updates/s"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --logfile "$OUT/redis.log" &
  redis_pid=$!
  pids+=("$redis_pid")
  targets="$redis_pid"
  urls=()
  publish_urls=()
  for i in $(seq 0 $((n - 1))); do
    port=$((BASE_PORT + i))
    java ${HERALD_JAVA_OPTS:-} -jar "$jar" serve --addr "127.0.0.1:$port" --anonymous --publisher-jwt-key "$KEY" \
      --transport "redis://127.0.0.1:$REDIS_PORT" --max-connections-per-address 0 >"$OUT/node-$n-$i.log" 2>&1 &
    pids+=("$!")
    targets="$targets,$!"
    urls+=(--subscribe-url "http://127.0.0.1:$port/.well-known/mercure?topic={topic}")
    publish_urls+=(--publish-url "http://127.0.0.1:$port/.well-known/mercure")
  done
  for i in $(seq 0 $((n - 1))); do
    wait_ready "http://127.0.0.1:$((BASE_PORT + i))/readyz"
  done
  report="$OUT/nodes-$n-subscribers-$SUBSCRIBERS-rate-$RATE.json"
  java -jar "$jar" bench --label "herald-$n-nodes" --scenario fanout,fanout --subscribers "$SUBSCRIBERS" \
    --rate "$RATE" --warmup "$WARMUP" --duration "$DURATION" "${urls[@]}" "${publish_urls[@]}" \
    --publish-header "Authorization: Bearer $token" --target-pid "$targets" --quiet --json "$report" >/dev/null
  stop_all
  python3 - "$report" "$n" <<'PY'
import json, sys
warm = json.load(open(sys.argv[1]))[-1]
print(f"{sys.argv[2]} node(s): {warm['deliveriesPerSec']:,.0f} deliveries/s, p50 {warm['p50Ms']} ms, "
      f"p99 {warm['p99Ms']} ms, hubs+redis {warm['targetCpuCores']} cores, "
      f"lost {warm['lost']}, duplicated {warm['duplicated']}")
PY
done
