#!/usr/bin/env bash
# Side-by-side benchmarks: Herald, Nchan and a Spring WebFlux SSE app, one after another on this
# machine, driven by the same load tool (herald bench) with the same settings. Writes the JSON
# reports under target/bench/, then BENCHMARKS.md (method, machine, absolute figures, Herald/peer
# ratios) and the PNG charts under docs/bench/.
#
#   bench/compare.sh                         # default sizes (10,000 subscribers, ~15 minutes)
#   BENCH_SUBSCRIBERS=2000 BENCH_DURATION=5s bench/compare.sh    # a quicker run
#   BENCH_PEERS=herald,nchan bench/compare.sh                     # a subset of peers
#   (peers: herald, nchan, spring-webflux, and herald-memory: Herald with --history memory)
#
# Every peer listens on loopback only and is stopped (by its own PID) before the next one starts.
# Needs root (or sudo) only to install nginx-light and libnginx-mod-nchan when they are missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

SUBSCRIBERS=${BENCH_SUBSCRIBERS:-10000}
TOPICS=${BENCH_TOPICS:-1000}
IDLE_SUBSCRIBERS=${BENCH_IDLE_SUBSCRIBERS:-18000}
RATE=${BENCH_RATE:-10}
TOPICS_RATE=${BENCH_TOPICS_RATE:-1000}
DURATION=${BENCH_DURATION:-8s}
WARMUP=${BENCH_WARMUP:-2s}
CHURN_RATE=${BENCH_CHURN_RATE:-500}
SWEEP_RATES=${BENCH_SWEEP_RATES:-1,2,3,5,10,20}
SCENARIOS=${BENCH_SCENARIOS:-fanout,topics,churn,resume,sweep}
# A second sweep with fewer subscribers, where the publish rate (not one update's fan-out) is the limit.
SWEEP_SMALL=${BENCH_SWEEP_SMALL_SUBSCRIBERS:-1000}
SWEEP_SMALL_RATES=${BENCH_SWEEP_SMALL_RATES:-20,50,100,200,500,1000,2000}
PEERS=${BENCH_PEERS:-herald,nchan,spring-webflux}
OUT=${BENCH_OUT:-$root/target/bench}
CHARTS=${BENCH_CHARTS:-$root/docs/bench}
MD=${BENCH_MD:-$root/BENCHMARKS.md}
HERALD_PORT=18080
SPRING_PORT=18082
NCHAN_PORT=18090
KEY="herald-bench-key-that-is-long-enough-for-hs256"

log() { echo "compare: $*" >&2; }

# --- what the peers need ------------------------------------------------------------------------
if [[ ",$PEERS," == *",nchan,"* ]] && [ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  log "installing nginx-light and libnginx-mod-nchan with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light libnginx-mod-nchan >/dev/null
fi
jar="${BENCH_HERALD_JAR:-$root/herald-cli/target/herald.jar}"
if [ ! -f "$jar" ]; then
  log "building $jar"
  ./mvnw -q -B -DskipTests -pl herald-cli -am package
fi
spring_jar="$root/bench/spring-webflux/target/spring-webflux-sse.jar"
if [[ ",$PEERS," == *",spring-webflux,"* ]] && [ ! -f "$spring_jar" ]; then
  log "building the Spring WebFlux reference app"
  ./mvnw -q -B -DskipTests -f bench/spring-webflux/pom.xml package
fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
rm -rf "$OUT"; mkdir -p "$OUT"
work="$(mktemp -d)"
# A private copy: a rebuild of the tree during the run must not swap classes under running JVMs.
cp "$jar" "$work/herald.jar"; jar="$work/herald.jar"
peer_pid=""
stop_peer() {
  if [ -n "$peer_pid" ] && kill -0 "$peer_pid" 2>/dev/null; then
    kill "$peer_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$peer_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$peer_pid" 2>/dev/null || true
  fi
  peer_pid=""
}
trap 'stop_peer; rm -rf "$work"' EXIT

wait_port() {
  for _ in $(seq 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "nothing listens on port $1"; return 1
}

bench() { # label json-name extra-args...
  local label=$1 name=$2; shift 2
  java ${BENCH_JAVA_OPTS:-} -jar "$jar" bench --label "$label" --json "$OUT/$name.json" \
    --rate "$RATE" --topics-rate "$TOPICS_RATE" --duration "$DURATION" --warmup "$WARMUP" --churn-rate "$CHURN_RATE" \
    --topics "$TOPICS" "$@" | tee -a "$OUT/$label.txt"
}

# Runs the idle scenario on a fresh peer, then the others: $1 label, $2 start function, then the
# template arguments; the start function sets peer_pid and target_pids.
run_peer() {
  local label=$1 start=$2; shift 2
  log "== $label: idle ($IDLE_SUBSCRIBERS subscribers)"
  $start
  bench "$label" "$label-idle" --scenario idle --subscribers "$IDLE_SUBSCRIBERS" --target-pid "$target_pids" $jcmd "$@"
  stop_peer
  log "== $label: $SCENARIOS ($SUBSCRIBERS subscribers)"
  $start
  bench "$label" "$label-load" --scenario "$SCENARIOS" --subscribers "$SUBSCRIBERS" --sweep-rates "$SWEEP_RATES" --target-pid "$target_pids" "$@"
  if [ "$SWEEP_SMALL" -gt 0 ]; then
    log "== $label: sweep with $SWEEP_SMALL subscribers"
    bench "$label" "$label-sweep-small" --scenario sweep --subscribers "$SWEEP_SMALL" --sweep-rates "$SWEEP_SMALL_RATES" \
      --scenario-suffix "@$SWEEP_SMALL" --target-pid "$target_pids" "$@"
  fi
  stop_peer
}

start_herald() {
  rm -rf "$work/herald-data"
  java ${HERALD_JAVA_OPTS:-} -jar "$jar" serve --addr "127.0.0.1:$HERALD_PORT" --anonymous \
    --publisher-jwt-key "$KEY" --data-dir "$work/herald-data" --max-connections-per-address 0 >"$OUT/herald-serve.log" 2>&1 &
  peer_pid=$!; target_pids=$peer_pid
  wait_port $HERALD_PORT
}

start_herald_memory() {
  java ${HERALD_JAVA_OPTS:-} -jar "$jar" serve --addr "127.0.0.1:$HERALD_PORT" --anonymous \
    --publisher-jwt-key "$KEY" --history memory --max-connections-per-address 0 >"$OUT/herald-memory-serve.log" 2>&1 &
  peer_pid=$!; target_pids=$peer_pid
  wait_port $HERALD_PORT
}

start_nchan() {
  mkdir -p "$work/nchan"
  sed -e "s|__PREFIX__|$work/nchan|g" -e "s|__PORT__|$NCHAN_PORT|g" bench/nchan/nginx.conf.template >"$work/nchan/nginx.conf"
  nginx -p "$work/nchan" -c "$work/nchan/nginx.conf" >"$OUT/nchan.log" 2>&1 &
  peer_pid=$!
  wait_port $NCHAN_PORT
  sleep 0.5
  target_pids=$(printf %s "$peer_pid"; for p in $(pgrep -P "$peer_pid"); do printf ,%s "$p"; done)
}

start_spring() {
  SERVER_PORT=$SPRING_PORT java ${SPRING_JAVA_OPTS:-} -jar "$spring_jar" >"$OUT/spring.log" 2>&1 &
  peer_pid=$!; target_pids=$peer_pid
  wait_port $SPRING_PORT
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
IFS=, read -ra peers <<<"$PEERS"
for peer in "${peers[@]}"; do
  case $peer in
    herald)
      token=$(java -jar "$jar" token --key "$KEY" --publish '*' | tail -1)
      jcmd=--jcmd
      run_peer herald start_herald \
        --subscribe-url "http://127.0.0.1:$HERALD_PORT/.well-known/mercure?topic={topic}" \
        --publish-url "http://127.0.0.1:$HERALD_PORT/.well-known/mercure" \
        --publish-body 'topic={topic}&data={data}' --publish-header "Authorization: Bearer $token" ;;
    herald-memory)
      token=$(java -jar "$jar" token --key "$KEY" --publish '*' | tail -1)
      jcmd=--jcmd
      run_peer herald-memory start_herald_memory \
        --subscribe-url "http://127.0.0.1:$HERALD_PORT/.well-known/mercure?topic={topic}" \
        --publish-url "http://127.0.0.1:$HERALD_PORT/.well-known/mercure" \
        --publish-body 'topic={topic}&data={data}' --publish-header "Authorization: Bearer $token" ;;
    nchan)
      jcmd=""
      run_peer nchan start_nchan \
        --subscribe-url "http://127.0.0.1:$NCHAN_PORT/sub/{topic}" \
        --publish-url "http://127.0.0.1:$NCHAN_PORT/pub/{topic}" --publish-body '{data}' ;;
    spring-webflux)
      jcmd=--jcmd
      run_peer spring-webflux start_spring \
        --subscribe-url "http://127.0.0.1:$SPRING_PORT/subscribe?topic={topic}" \
        --publish-url "http://127.0.0.1:$SPRING_PORT/publish" --publish-body 'topic={topic}&data={data}' ;;
    *) log "unknown peer $peer"; exit 2 ;;
  esac
done
finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# --- BENCHMARKS.md -------------------------------------------------------------------------------
nchan_version=$(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null || echo "not installed")
nginx_version=$(dpkg-query -W -f '${Version}' nginx-light 2>/dev/null || echo "not installed")
java_version=$(java -version 2>&1 | head -1)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
cat >"$OUT/preamble.md" <<MD
## Method

One run of \`bench/compare.sh\` from $started to $finished (UTC). Each peer runs alone on loopback,
one after another, and is driven by the same load tool, \`herald bench\` (module \`herald-bench\`), with
the same settings. The tool opens its subscribers on Netty (native epoll, $(nproc) event loops),
spread over source addresses 127.0.0.2-127.0.0.9, at most 1,000 connection attempts in flight;
parses every stream with Herald's own \`SseParser\`; publishes at a fixed rate from its own event
loop over up to 16 keep-alive connections; puts a per-topic sequence number and a \`System.nanoTime\`
stamp in each update's data, and records publish-to-receive latency in an HdrHistogram. It checks
every sequence of every subscriber: *lost* is expected deliveries (each acknowledged update times the
subscribers of its topic) minus distinct ones received, *duplicated* counts sequences received twice.
Hub memory is read from \`/proc\` (VmRSS; for Nchan the sum of the master's and workers' Pss, so
shared memory counts once); JVM heap per connection is the heap used after a full GC (\`jcmd GC.run\`
then \`GC.heap_info\`) with the connections open, minus the same before they opened. CPU is
\`utime + stime\` of the hub's processes over the measured phase, in cores.

Settings: $SUBSCRIBERS subscribers (idle: $IDLE_SUBSCRIBERS), $TOPICS topics in the many-topics scenario
(published round-robin at $TOPICS_RATE updates/s), $RATE updates/s in the others, ${WARMUP} warm-up then ${DURATION} measured per scenario and per sweep step, ~100-byte
payloads, churn $CHURN_RATE reconnections/s, sweep rates $SWEEP_RATES updates/s (stops at the first
step whose p99 is 100 ms or more, that loses updates, or whose publish rate falls under 90% of the asked);
a second sweep with $SWEEP_SMALL subscribers at $SWEEP_SMALL_RATES updates/s, where one update's fan-out is
short and the publish rate is what grows.
Scenarios: idle first on a fresh process, then $SCENARIOS on another fresh process.

Peers:

- **herald**: \`herald serve\` with its defaults (durable RocksDB history, fsync always, HTTP/1.1,
  one event loop per core), \`--anonymous\` subscribers, a publisher JWT.
- **nchan**: nginx-light $nginx_version with libnginx-mod-nchan $nchan_version, 2 workers, an
  EventSource subscriber location and a publisher location (\`bench/nchan/nginx.conf.template\`),
  messages buffered in shared memory (10,000 per channel) so Last-Event-ID resumes.
- **spring-webflux**: \`bench/spring-webflux\`, Spring Boot 3.5.7 WebFlux on Reactor Netty, one
  \`Sinks.many().multicast().directBestEffort()\` per topic; no history, so a subscriber that
  reconnects misses what was published meanwhile (lost > 0 in churn and resume is expected).
- **herald-memory** (when run): the same Herald with \`--history memory\` (bounded in-memory ring,
  no disk), to show what the durable default costs.

## Machine

$cpu, $(nproc) cores, $mem RAM, $(uname -sr), $java_version; at most 20,000 open files per
process. The load tool and the hub share the two cores, so each figure is bounded by both; the tool's
own CPU is reported next to the hub's. Load average when the run started: $load_before (other work
on this shared machine may have run during it).

MD
java -cp "$jar" io.herald.bench.CompareReport "$OUT" "$MD" "$CHARTS" "${PEERS}" "$OUT/preamble.md"
mkdir -p "$CHARTS/results" && cp "$OUT"/*.json "$CHARTS/results/"
log "done: $MD, $CHARTS/*.png, reports in $OUT (JSON copied to $CHARTS/results)"
