#!/usr/bin/env bash
# Soak test: mixed load against Herald for SOAK_MINUTES (default 30), sampling the hubs' memory,
# open files and threads every minute, then a verdict: the figures stayed flat and every update a
# publisher got a 200 for reached every subscriber that should have it.
#
#   bench/soak.sh                         # 30 minutes, 2-node cluster over Redis (restarted twice)
#   SOAK_MODE=single bench/soak.sh        # one node with the durable history, no Redis
#   SOAK_MINUTES=5 bench/soak.sh          # a shorter run
#
# The load, all at once:
#   - the load tool cycles through its scenarios back to back: churn (subscribers leave and come
#     back with Last-Event-ID), resume (all drop and resume at once: a resume storm), fanout and
#     topics (publishes reaching many / few subscribers), each checking loss and duplicates;
#   - SOAK_SLOW slow readers hold streams on every topic (*) and read a few bytes a second, so the
#     hub keeps dropping them; each gives up after SOAK_SLOW_SECONDS (300) and comes back;
#   - in cluster mode, redis-server is killed (SIGKILL) and restarted every SOAK_REDIS_EVERY
#     minutes; publishes get 503 meanwhile (not acknowledged, so not owed), streams stay open.
#
# After each scenario (about once a minute) every hub is sampled: heap after a full GC (jcmd
# GC.run, then /metrics), direct memory, Netty's pooled direct memory, open file descriptors,
# threads, RSS. Flat means: over the second half of the run, no figure grew past the first
# half's highest sample by more than its tolerance (heap and direct: 10% or 16 MiB; file
# descriptors: 10% or 64; threads: 8). Exits 0 when both verdicts pass.
#
# Loopback only; every process it starts is stopped by PID on exit. Writes its samples, the load
# tool's JSON reports and the hubs' logs under SOAK_OUT (default target/bench/soak/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

MINUTES=${SOAK_MINUTES:-30}
MODE=${SOAK_MODE:-cluster}
SUBSCRIBERS=${SOAK_SUBSCRIBERS:-1000}
RATE=${SOAK_RATE:-50}
SLOW=${SOAK_SLOW:-20}
REDIS_EVERY=${SOAK_REDIS_EVERY:-10}
SCENARIO_SECONDS=${SOAK_SCENARIO_SECONDS:-30}
REDIS_PORT=${SOAK_REDIS_PORT:-16391}
BASE_PORT=${SOAK_BASE_PORT:-18700}
OUT=${SOAK_OUT:-$root/target/bench/soak}
JAVA_OPTS=${HERALD_JAVA_OPTS:--Xmx256m -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError}
KEY="herald-soak-key-that-is-long-enough-for-hs256"

log() { echo "soak: $(date -u +%H:%M:%S) $*" >&2; }

case "$MODE" in
  cluster) NODES=2; command -v redis-server >/dev/null || { log "redis-server is missing (apt-get install redis-server)"; exit 1; } ;;
  single) NODES=1 ;;
  *) log "SOAK_MODE must be cluster or single, got '$MODE'"; exit 2 ;;
esac
command -v python3 >/dev/null || { log "python3 is missing"; exit 1; }
command -v jcmd >/dev/null || { log "jcmd is missing (it comes with the JDK)"; exit 1; }

./herald --version >/dev/null # builds the jar when stale
jar="$root/herald-cli/target/herald.jar"
rm -rf "$OUT"
mkdir -p "$OUT/reports"

pids=()
redis_pid=""
stop_all() {
  for p in "${pids[@]}" $redis_pid; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}" $redis_pid; do wait "$p" 2>/dev/null || true; done
}
trap stop_all EXIT

start_redis() {
  # Append-only file fsynced on every write: a SIGKILLed Redis comes back with every update it
  # acknowledged, so the hubs resume without losing what their publishers were told is stored.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$OUT" --save '' \
    --appendonly yes --appendfsync always --logfile "$OUT/redis.log" &
  redis_pid=$!
}

wait_ready() {
  for _ in $(seq 240); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.25
  done
  log "not ready: $1"; return 1
}

[ "$MODE" = cluster ] && start_redis
hub_pids=()
sub_urls=()
pub_urls=()
for i in $(seq 0 $((NODES - 1))); do
  port=$((BASE_PORT + i))
  if [ "$MODE" = cluster ]; then
    store=(--transport "redis://127.0.0.1:$REDIS_PORT")
  else
    store=(--history durable --data-dir "$OUT/data-$i" --fsync os)
  fi
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$jar" serve --addr "127.0.0.1:$port" --anonymous --publisher-jwt-key "$KEY" \
    --dispatch-timeout 3s "${store[@]}" >"$OUT/node-$i.log" 2>&1 &
  pids+=("$!")
  hub_pids+=("$!")
  sub_urls+=(--subscribe-url "http://127.0.0.1:$port/.well-known/mercure?topic={topic}")
  pub_urls+=(--publish-url "http://127.0.0.1:$port/.well-known/mercure")
done
for i in $(seq 0 $((NODES - 1))); do
  wait_ready "http://127.0.0.1:$((BASE_PORT + i))/readyz"
done
token=$(java -jar "$jar" token --key "$KEY" --publish '*' | tail -1)
log "$MODE: $NODES node(s) (pids ${hub_pids[*]}), $SUBSCRIBERS subscribers, $RATE updates/s, $SLOW slow readers, $MINUTES min"

end=$(( $(date +%s) + MINUTES * 60 ))

# Slow readers: each holds a stream on every topic (*) with a tiny receive buffer and reads a few
# bytes a second, so its queue on the hub fills and the hub drops it (the hub counts these drops:
# "slow" in the samples). A reader cannot see that close behind the data still in flight to it,
# so each gives up after SOAK_SLOW_SECONDS (the hub drops it after about 4 minutes here) and
# reconnects, as a real client would time out.
python3 - "$BASE_PORT" "$NODES" "$SLOW" "$end" "$OUT/slow-readers.txt" "${SOAK_SLOW_SECONDS:-300}" <<'PY' &
import socket, sys, time, selectors
base, nodes, count, end, out, patience = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                          int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
sel = selectors.DefaultSelector()
opened = {}
connections = 0
def connect(i):
    global connections
    port = base + i % nodes
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(("127.0.0.%d" % (20 + i % 50), 0))
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /.well-known/mercure?topic=* HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    except OSError:
        s.close(); return
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, i)
    opened[s] = time.time()
    connections += 1
for i in range(count):
    connect(i)
while time.time() < end:
    for key, _ in sel.select(timeout=1):
        s = key.fileobj
        try:
            chunk = s.recv(16)
        except OSError:
            chunk = b""
        if not chunk or time.time() - opened[s] > patience:
            sel.unregister(s); del opened[s]; s.close()
            connect(key.data)
    time.sleep(0.25)
open(out, "w").write("%d\n" % connections)
PY
pids+=("$!")

sample() {
  local now i pid port
  now=$(date -u +%H:%M:%S)
  for i in "${!hub_pids[@]}"; do
    pid=${hub_pids[$i]}
    port=$((BASE_PORT + i))
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$now node-$i DEAD" >>"$OUT/samples.txt"
      log "node-$i (pid $pid) is gone"
      continue
    fi
    jcmd "$pid" GC.run >/dev/null 2>&1 || true
    curl -fs -o "$OUT/metrics-$i.txt" "http://127.0.0.1:$port/metrics" || : >"$OUT/metrics-$i.txt"
    python3 - "$now" "node-$i" "$pid" "$OUT/metrics-$i.txt" <<'PY' >>"$OUT/samples.txt"
import os, re, sys
text = open(sys.argv[4]).read()
def total(pattern):
    return sum(float(m) for m in re.findall(r'^' + pattern + r'(?:\{[^}]*\})? ([0-9.eE+-]+)$', text, re.M))
heap = sum(float(v) for v in re.findall(r'^jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\} ([0-9.eE+-]+)$', text, re.M))
direct = sum(float(v) for v in re.findall(r'^jvm_buffer_memory_used_bytes\{[^}]*id="direct"[^}]*\} ([0-9.eE+-]+)$', text, re.M))
netty = total("herald_netty_direct_memory_used")
pid = sys.argv[3]
fds = len(os.listdir('/proc/%s/fd' % pid))
status = open('/proc/%s/status' % pid).read()
threads = int(re.search(r'^Threads:\s+(\d+)', status, re.M).group(1))
rss = int(re.search(r'^VmRSS:\s+(\d+)', status, re.M).group(1)) * 1024
subs = total('herald_subscribers_connected')
slow = sum(float(v) for v in re.findall(r'^herald_subscribers_dropped_total\{[^}]*reason="slow"[^}]*\} ([0-9.eE+-]+)$', text, re.M))
budget = sum(float(v) for v in re.findall(r'^herald_subscribers_dropped_total\{[^}]*reason="budget"[^}]*\} ([0-9.eE+-]+)$', text, re.M))
print(f"{sys.argv[1]} {sys.argv[2]} heap={heap/2**20:.1f}MiB direct={direct/2**20:.1f}MiB netty={netty/2**20:.1f}MiB "
      f"fds={fds} threads={threads} rss={rss/2**20:.0f}MiB streams={subs:.0f} dropped={slow + budget:.0f}")
PY
  done
  tail -n "${#hub_pids[@]}" "$OUT/samples.txt" >&2
}

scenarios=(churn resume fanout topics)
next_redis=$(( $(date +%s) + REDIS_EVERY * 60 ))
run=0
sample
while [ "$(date +%s)" -lt "$end" ]; do
  scenario=${scenarios[$((run % ${#scenarios[@]}))]}
  run=$((run + 1))
  report="$OUT/reports/$(printf %03d $run)-$scenario.json"
  ( java -jar "$jar" bench --label "soak-$MODE" --scenario "$scenario" --subscribers "$SUBSCRIBERS" --topics 100 \
      --rate "$RATE" --topics-rate $((RATE * 4)) --churn-rate 100 --warmup 2s --duration "${SCENARIO_SECONDS}s" \
      "${sub_urls[@]}" "${pub_urls[@]}" --publish-header "Authorization: Bearer $token" \
      --quiet --json "$report" >"$OUT/reports/$(printf %03d $run)-$scenario.txt" 2>&1 \
    || log "bench $scenario exited $?" ) &
  bench_pid=$!
  if [ "$MODE" = cluster ] && [ "$(date +%s)" -ge "$next_redis" ]; then
    sleep $((SCENARIO_SECONDS / 2))
    log "killing redis-server (pid $redis_pid) and restarting it"
    kill -9 "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    sleep 3
    start_redis
    next_redis=$(( $(date +%s) + REDIS_EVERY * 60 ))
  fi
  wait "$bench_pid" || true
  sample
done

log "load finished; verdict"
python3 - "$OUT" "$NODES" <<'PY'
import glob, json, re, sys
out, nodes = sys.argv[1], int(sys.argv[2])
ok = True
lost = dup = acked = failures = 0
missing = []
for f in sorted(glob.glob(out + '/reports/*.json')):
    try:
        for r in json.load(open(f)):
            lost += r.get('lost', 0); dup += r.get('duplicated', 0)
            acked += r.get('published', 0); failures += r.get('publishFailures', 0)
    except (OSError, ValueError):
        missing.append(f)
runs = len(glob.glob(out + '/reports/*.txt'))
print(f"deliveries: {runs} load runs, {acked} acknowledged updates, {failures} publishes refused "
      f"(Redis down or hub busy: never acknowledged), lost {lost}, duplicated {dup}"
      + (f", {len(missing)} reports missing" if missing else ""))
if lost or dup or missing or runs == 0:
    ok = False
samples = {}
for line in open(out + '/samples.txt'):
    parts = line.split()
    if len(parts) > 2 and parts[2] == 'DEAD':
        print(f"{parts[1]} died during the soak"); ok = False; continue
    vals = {k: float(re.sub(r'[A-Za-z]+$', '', v)) for k, v in (p.split('=') for p in parts[2:])}
    samples.setdefault(parts[1], []).append(vals)
tolerance = {'heap': (0.10, 16), 'direct': (0.10, 16), 'netty': (0.10, 16), 'fds': (0.10, 64), 'threads': (0, 8)}
for node, rows in sorted(samples.items()):
    if len(rows) < 4:
        print(f"{node}: only {len(rows)} samples, too few to judge"); ok = False; continue
    half = len(rows) // 2
    verdicts = []
    for k, (rel, absolute) in tolerance.items():
        first = max(r[k] for r in rows[:half]); second = max(r[k] for r in rows[half:])
        allowed = max(first * rel, absolute)
        flat = second <= first + allowed
        ok &= flat
        verdicts.append(f"{k} {first:g}->{second:g} {'flat' if flat else 'GREW'}")
    print(f"{node}: " + ", ".join(verdicts))
print("VERDICT: " + ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
