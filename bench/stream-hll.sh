#!/usr/bin/env bash
# bench/stream-hll.sh — XADD and PFADD throughput of Redoubt and real Redis, side by side in one run.
#
# redis-benchmark has no built-in stream or HyperLogLog test, so both are custom commands:
#   XADD  bench:stream * field __rand_int__     (one stream; every request appends an entry)
#   PFADD bench:hll __rand_int__                (one HLL; sparse at first, dense after ~3k adds)
# each at -P 1 and -P 16 (-c 50, -r 100000). Both servers are started fresh on two loopback ports
# with `--save '' --appendonly no`; every run is preceded by FLUSHALL, so each starts from an empty
# key; the server order alternates per round (A B, B A, ...) to cancel drift. Reported per test:
# the median requests/s of each server, the median of the per-round paired ratios redoubt/redis
# with their min..max, and the server CPU per request (user+sys of the server process from
# /proc/PID/stat over the run; far less sensitive to other tenants than requests/s).
#
# Servers are pinned to one CPU and redis-benchmark to another (taskset; --no-pin disables).
# Only 127.0.0.1. Every process started here is stopped by its PID on exit; every step is
# bounded with `timeout`. Run `bench/stream-hll.sh --help` for the options.
set -u -o pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
CMDLINE="$0 $*"

ROUNDS=3
CLIENTS=50
KEYSPACE=100000
REQUESTS=200000            # per run at -P 1
REQUESTS_PIPELINED=1000000 # per run at -P > 1
PIPELINES="1,16"
TESTS="xadd,pfadd"
WARMUP_ROUNDS=1
REDIS_PORT=23100
REDOUBT_PORT=23101
REDIS_SERVER=/usr/bin/redis-server
REDOUBT_SERVER="$ROOT/bin/redoubt-server"
PIN=1
SERVER_CPU=0
CLIENT_CPU=1
RUN_TIMEOUT=120
TOTAL_TIMEOUT=1800
START_TIMEOUT=120

usage() {
  cat <<EOF
Usage: bench/stream-hll.sh [options]
  --rounds R              measured rounds, order alternating (default $ROUNDS; >= 1)
  --tests LIST            comma-separated, of xadd,pfadd (default $TESTS)
  --pipelines LIST        -P values (default $PIPELINES)
  --clients C             -c (default $CLIENTS)
  --requests N            -n at -P 1 (default $REQUESTS)
  --requests-pipelined N  -n at -P > 1 (default $REQUESTS_PIPELINED)
  --keyspace R            -r, the range of __rand_int__ (default $KEYSPACE)
  --warmup-rounds W       unmeasured rounds first, same runs as a measured round (default $WARMUP_ROUNDS);
                          Redoubt's JIT compiles its hot paths on the servers' one pinned CPU meanwhile
  --ports A,B             redis port, redoubt port on 127.0.0.1 (default $REDIS_PORT,$REDOUBT_PORT)
  --redis-server PATH     (default $REDIS_SERVER)
  --redoubt-server PATH   (default bin/redoubt-server; e.g. a copy of bin/ + server/target/redoubt.jar)
  --no-pin                do not pin with taskset
  --server-cpu N / --client-cpu N   CPUs for the servers / redis-benchmark (default $SERVER_CPU / $CLIENT_CPU)
  --run-timeout S         bound for one redis-benchmark run (default $RUN_TIMEOUT)
  --total-timeout S       bound for the whole run; exceeding it stops with an error (default $TOTAL_TIMEOUT)
Sanity check of the method (A/A, ratios ~1.0): bench/stream-hll.sh --redoubt-server /usr/bin/redis-server
EOF
}
die() { echo "stream-hll.sh: $*" >&2; exit 2; }
need() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) need "$@"; ROUNDS=$2; shift 2 ;;
    --tests) need "$@"; TESTS=$2; shift 2 ;;
    --pipelines) need "$@"; PIPELINES=$2; shift 2 ;;
    --clients) need "$@"; CLIENTS=$2; shift 2 ;;
    --requests) need "$@"; REQUESTS=$2; shift 2 ;;
    --requests-pipelined) need "$@"; REQUESTS_PIPELINED=$2; shift 2 ;;
    --keyspace) need "$@"; KEYSPACE=$2; shift 2 ;;
    --warmup-rounds) need "$@"; WARMUP_ROUNDS=$2; shift 2 ;;
    --ports) need "$@"; REDIS_PORT=${2%,*}; REDOUBT_PORT=${2#*,}; shift 2 ;;
    --redis-server) need "$@"; REDIS_SERVER=$2; shift 2 ;;
    --redoubt-server) need "$@"; REDOUBT_SERVER=$2; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --server-cpu) need "$@"; SERVER_CPU=$2; shift 2 ;;
    --client-cpu) need "$@"; CLIENT_CPU=$2; shift 2 ;;
    --run-timeout) need "$@"; RUN_TIMEOUT=$2; shift 2 ;;
    --total-timeout) need "$@"; TOTAL_TIMEOUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
for v in ROUNDS CLIENTS KEYSPACE REQUESTS REQUESTS_PIPELINED WARMUP_ROUNDS REDIS_PORT REDOUBT_PORT SERVER_CPU CLIENT_CPU RUN_TIMEOUT TOTAL_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$ROUNDS" -ge 1 ] || die "--rounds must be >= 1"
[ "$REDIS_PORT" != "$REDOUBT_PORT" ] || die "the two ports must differ"
for p in "$REDIS_PORT" "$REDOUBT_PORT"; do { [ "$p" -ge 1024 ] && [ "$p" -le 65535 ]; } || die "bad port $p"; done
IFS=',' read -r -a TEST_LIST <<<"${TESTS,,}"
IFS=',' read -r -a PIPE_LIST <<<"$PIPELINES"
for t in "${TEST_LIST[@]}"; do [[ $t == xadd || $t == pfadd ]] || die "unknown test '$t'"; done
for p in "${PIPE_LIST[@]}"; do [[ $p =~ ^[1-9][0-9]*$ ]] || die "bad pipeline '$p'"; done
for tool in redis-benchmark redis-cli timeout awk; do command -v "$tool" >/dev/null || die "$tool not found"; done
[ -x "$REDIS_SERVER" ] || die "$REDIS_SERVER not executable"
[ -x "$REDOUBT_SERVER" ] || die "$REDOUBT_SERVER not executable"
if [ "$REDOUBT_SERVER" = "$ROOT/bin/redoubt-server" ] && [ ! -f "$ROOT/server/target/redoubt.jar" ]; then
  die "server/target/redoubt.jar is missing: ./mvnw -q -DskipTests package"
fi

SERVER_PIN=(); CLIENT_PIN=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null; then
  SERVER_PIN=(taskset -c "$SERVER_CPU"); CLIENT_PIN=(taskset -c "$CLIENT_CPU")
else
  PIN=0
fi

WORK=$(mktemp -d /tmp/stream-hll.XXXXXX)
declare -A PID_OF=()
stop_pid() { # TERM, wait up to 10 s, then KILL — only this PID
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
cleanup() {
  local n
  for n in "${!PID_OF[@]}"; do stop_pid "${PID_OF[$n]}"; done
  PID_OF=()
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_of() { if [ "$1" = redis ]; then echo "$REDIS_PORT"; else echo "$REDOUBT_PORT"; fi; }
cli() { local port=$1; shift; timeout 10 "${CLIENT_PIN[@]}" redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1; }

start_server() {
  local name=$1 port pid deadline=$((SECONDS + START_TIMEOUT)) cmd
  port=$(port_of "$name")
  if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then die "port $port is already in use"; fi
  mkdir -p "$WORK/$name-dir"
  if [ "$name" = redis ]; then
    cmd=("$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/$name-dir" --daemonize no)
  else
    cmd=("$REDOUBT_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/$name-dir")
  fi
  echo "# $name: ${SERVER_PIN[*]} ${cmd[*]}" | sed "s|$WORK|\$TMP|g"
  "${SERVER_PIN[@]}" "${cmd[@]}" >"$WORK/$name.log" 2>&1 </dev/null &
  pid=$!
  PID_OF[$name]=$pid
  until [ "$(cli "$port" PING)" = PONG ]; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORK/$name.log" >&2; die "$name exited during start-up"; }
    [ $SECONDS -lt $deadline ] || { tail -n 20 "$WORK/$name.log" >&2; die "$name did not answer PING in ${START_TIMEOUT}s"; }
    sleep 0.25
  done
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)

# bench_once SERVER TEST P N: sets RPS (or ERR) and US (server CPU microseconds per request).
RPS=""; US=""
bench_once() {
  local name=$1 test=$2 p=$3 n=$4 port pid out rc c0 c1
  port=$(port_of "$name"); pid=${PID_OF[$name]}
  [ $SECONDS -lt "$TOTAL_TIMEOUT" ] || die "total time bound of ${TOTAL_TIMEOUT}s reached"
  kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) is not running; log: $(tail -n 5 "$WORK/$name.log")"
  [ "$(cli "$port" FLUSHALL)" = OK ] || echo "!! $name: FLUSHALL failed" >&2
  local args
  if [ "$test" = xadd ]; then args=(XADD bench:stream '*' field __rand_int__)
  else args=(PFADD bench:hll __rand_int__); fi
  c0=$(cpu_ticks "$pid")
  out=$(timeout "$RUN_TIMEOUT" "${CLIENT_PIN[@]}" redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$n" \
        -r "$KEYSPACE" -P "$p" --csv "${args[@]}" 2>"$WORK/bench.err")
  rc=$?
  c1=$(cpu_ticks "$pid")
  RPS=$(printf '%s\n' "$out" | awk -F'"' 'NF >= 4 && $4 ~ /^[0-9.]+$/ { v = $4 } END { if (v != "") print v }')
  if [ $rc -ne 0 ] || [ -z "$RPS" ] || grep -q 'Error' "$WORK/bench.err"; then
    echo "!! $name $test -P $p: rc=$rc $(head -c 300 "$WORK/bench.err")" >&2
    RPS=ERR; US=ERR; return
  fi
  US=$(awk -v a="$c0" -v b="$c1" -v t="$TICK" -v n="$n" 'BEGIN { printf "%.3f", (b - a) * 1e6 / t / n }')
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "# Redoubt vs Redis: XADD / PFADD — bench/stream-hll.sh"
echo "# command: $CMDLINE"
echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); host: $(uname -srm), $(nproc) CPUs"
echo "# redis: $("$REDIS_SERVER" --version 2>&1 | head -n 1)"
echo "# redoubt tree: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') (+$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) uncommitted paths)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# pinning: $([ "$PIN" = 1 ] && echo "servers on CPU $SERVER_CPU, redis-benchmark on CPU $CLIENT_CPU" || echo none)"
echo "# redis-benchmark -c $CLIENTS -r $KEYSPACE, -n $REQUESTS at -P 1 and $REQUESTS_PIPELINED at -P > 1; FLUSHALL before each run;" \
     "$ROUNDS rounds, order alternating, after $WARMUP_ROUNDS unmeasured warm-up round(s)"
start_server redis
start_server redoubt

declare -A R=() U=()
for ((r = 1; r <= WARMUP_ROUNDS; r++)); do
  for t in "${TEST_LIST[@]}"; do for p in "${PIPE_LIST[@]}"; do for s in redis redoubt; do
    if [ "$p" -gt 1 ]; then n=$REQUESTS_PIPELINED; else n=$REQUESTS; fi
    bench_once "$s" "$t" "$p" "$n"
    printf '#   warm-up %d %-8s %-6s -P %-3s %10s rps\n' "$r" "$s" "$t" "$p" "$RPS" >&2
  done; done; done
done
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=(redis redoubt); else order=(redoubt redis); fi
  for t in "${TEST_LIST[@]}"; do
    for p in "${PIPE_LIST[@]}"; do
      if [ "$p" -gt 1 ]; then n=$REQUESTS_PIPELINED; else n=$REQUESTS; fi
      for s in "${order[@]}"; do
        bench_once "$s" "$t" "$p" "$n"
        R[$s|$t|$p|$r]=$RPS; U[$s|$t|$p|$r]=$US
        printf '#   round %d %-8s %-6s -P %-3s %10s rps %8s us/req\n' "$r" "$s" "$t" "$p" "$RPS" "$US" >&2
      done
    done
  done
done

echo
printf '%-6s %4s %12s %12s %7s  %-16s %9s %9s %8s\n' test -P redis_rps redoubt_rps ratio "paired min..max" redis_us redoubt_us cpu_eff
all=()
for t in "${TEST_LIST[@]}"; do
  for p in "${PIPE_LIST[@]}"; do
    rs=(); ds=(); rr=(); ru=(); du=(); ce=(); err=0
    for ((r = 1; r <= ROUNDS; r++)); do
      a=${R[redis|$t|$p|$r]}; b=${R[redoubt|$t|$p|$r]}
      if [ "$a" = ERR ] || [ "$b" = ERR ]; then err=1; continue; fi
      rs+=("$a"); ds+=("$b")
      rr+=("$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.3f", x / y }')")
      ru+=("${U[redis|$t|$p|$r]}"); du+=("${U[redoubt|$t|$p|$r]}")
      ce+=("$(awk -v x="${U[redis|$t|$p|$r]}" -v y="${U[redoubt|$t|$p|$r]}" 'BEGIN { printf "%.3f", (y > 0 ? x / y : 0) }')")
    done
    if [ ${#rr[@]} -eq 0 ]; then printf '%-6s %4s %12s\n' "$t" "$p" ERR; continue; fi
    mr=$(printf '%s\n' "${rs[@]}" | median); md=$(printf '%s\n' "${ds[@]}" | median)
    mratio=$(printf '%s\n' "${rr[@]}" | median)
    lo=$(printf '%s\n' "${rr[@]}" | sort -g | head -n 1); hi=$(printf '%s\n' "${rr[@]}" | sort -g | tail -n 1)
    all+=("$mratio")
    printf '%-6s %4s %12.0f %12.0f %7.3f  %-16s %9.3f %9.3f %8.3f%s\n' "$t" "$p" "$mr" "$md" "$mratio" "$lo..$hi" \
      "$(printf '%s\n' "${ru[@]}" | median)" "$(printf '%s\n' "${du[@]}" | median)" "$(printf '%s\n' "${ce[@]}" | median)" \
      "$([ $err = 1 ] && echo ' (some rounds ERR)')"
  done
done
echo
echo "ratio = median of per-round redoubt/redis requests/s; cpu_eff = redis_us/redoubt_us (>1: Redoubt cheaper per request)"
echo "geometric mean redoubt/redis: $(printf '%s\n' "${all[@]}" | awk '{ s += log($1); n++ } END { if (n) printf "%.3f (%d tests)", exp(s / n), n; else print "n/a" }')"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
