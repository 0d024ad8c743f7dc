#!/usr/bin/env bash
# bench/aof-fsync.sh — SET throughput with the AOF on, Redoubt and real Redis side by side.
#
# For each fsync policy (default: always, everysec) both servers are started fresh, each in its
# own new temp directory, with the same settings:
#   --appendonly yes --appendfsync POLICY --save '' --auto-aof-rewrite-percentage 0
# (automatic rewrites off: this measures the append/fsync path; --auto-rewrite keeps Redis's
# default). Then redis-benchmark SET runs at each pipeline depth (default -P 1 and -P 16),
# alternating which server goes first in every round. Each run's -n is calibrated once per policy
# and depth from a warm-up run on both servers (n = fastest rate x --seconds), so every measured
# run lasts at least about that long (after --warmup-runs discarded runs). Prints, per policy and depth, the median requests/s of each
# server, the median of the per-round paired ratios Redoubt/Redis and their range; then, as a
# cross-check that other load on the machine disturbs much less, the server CPU time (user+sys of
# the server process, all its threads) per request of each and its ratio Redis/Redoubt.
#
# The servers are pinned to one CPU and redis-benchmark to another (taskset; --no-pin to
# disable), everything listens on 127.0.0.1, every process started here is stopped by its own
# PID on exit, and every step is bounded with `timeout`.
#
# Usage: bench/aof-fsync.sh [options]   (--help)
set -u -o pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
CMDLINE="$0 $*"

ROUNDS=3
POLICIES="always,everysec"
PIPELINES="1,16"
CLIENTS=50
KEYSPACE=100000
DATASIZE=16
SECONDS_PER_RUN=4
WARMUP_RUNS=2
MIN_REQUESTS=100000
MAX_REQUESTS=20000000
REDIS_PORT=22020
REDOUBT_PORT=22021
REDIS_SERVER=/usr/bin/redis-server
REDOUBT_SERVER="$ROOT/bin/redoubt-server"
PIN=1
SERVER_CPU=0
CLIENT_CPU=1
AUTO_REWRITE=0
RUN_TIMEOUT=300
START_TIMEOUT=120
RAW=""

usage() {
  cat <<EOF
Usage: bench/aof-fsync.sh [options]
  --rounds R              measured rounds per policy; server order alternates (default $ROUNDS)
  --policies LIST         comma-separated appendfsync policies (default $POLICIES)
  --pipelines LIST        comma-separated -P values (default $PIPELINES)
  --clients C             -c (default $CLIENTS)
  --keyspace R            -r (default $KEYSPACE)
  --datasize D            -d (default $DATASIZE)
  --seconds S             target duration of one measured run; -n = fastest warm-up rate x S
                          (default $SECONDS_PER_RUN)
  --warmup-runs K         warm-up runs per server, policy and depth before measuring (JIT, page
                          cache); the last one calibrates -n (default $WARMUP_RUNS, min 1)
  --auto-rewrite          keep auto-aof-rewrite-percentage at its default (100) on both servers
  --raw FILE              also write every run as TSV (policy, round, server, pipeline, n, rps)
  --redis-port P          loopback port for redis-server (default $REDIS_PORT)
  --redoubt-port P        loopback port for redoubt (default $REDOUBT_PORT)
  --redis-server PATH     (default $REDIS_SERVER)
  --redoubt-server PATH   (default bin/redoubt-server)
  --no-pin                do not pin with taskset
  --server-cpu N          CPU for both servers (default $SERVER_CPU)
  --client-cpu N          CPU for redis-benchmark / redis-cli (default $CLIENT_CPU)
  --run-timeout S         bound for one redis-benchmark run (default $RUN_TIMEOUT)
  --start-timeout S       bound for a server to answer PING (default $START_TIMEOUT)
A/A check of the method (both sides real Redis; ratios should be ~1.0):
  bench/aof-fsync.sh --redoubt-server /usr/bin/redis-server
EOF
}

die() { echo "aof-fsync.sh: $*" >&2; exit 2; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
need_arg() { [ $# -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) need_arg "$@"; ROUNDS=$2; shift 2 ;;
    --policies) need_arg "$@"; POLICIES=$2; shift 2 ;;
    --pipelines) need_arg "$@"; PIPELINES=$2; shift 2 ;;
    --clients) need_arg "$@"; CLIENTS=$2; shift 2 ;;
    --keyspace) need_arg "$@"; KEYSPACE=$2; shift 2 ;;
    --datasize) need_arg "$@"; DATASIZE=$2; shift 2 ;;
    --seconds) need_arg "$@"; SECONDS_PER_RUN=$2; shift 2 ;;
    --warmup-runs) need_arg "$@"; WARMUP_RUNS=$2; shift 2 ;;
    --auto-rewrite) AUTO_REWRITE=1; shift ;;
    --raw) need_arg "$@"; RAW=$2; shift 2 ;;
    --redis-port) need_arg "$@"; REDIS_PORT=$2; shift 2 ;;
    --redoubt-port) need_arg "$@"; REDOUBT_PORT=$2; shift 2 ;;
    --redis-server) need_arg "$@"; REDIS_SERVER=$2; shift 2 ;;
    --redoubt-server) need_arg "$@"; REDOUBT_SERVER=$2; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --server-cpu) need_arg "$@"; SERVER_CPU=$2; shift 2 ;;
    --client-cpu) need_arg "$@"; CLIENT_CPU=$2; shift 2 ;;
    --run-timeout) need_arg "$@"; RUN_TIMEOUT=$2; shift 2 ;;
    --start-timeout) need_arg "$@"; START_TIMEOUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

for v in ROUNDS CLIENTS KEYSPACE DATASIZE SECONDS_PER_RUN WARMUP_RUNS REDIS_PORT REDOUBT_PORT SERVER_CPU CLIENT_CPU \
         RUN_TIMEOUT START_TIMEOUT; do
  is_uint "${!v}" || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$ROUNDS" -ge 1 ] || die "--rounds must be >= 1"
[ "$SECONDS_PER_RUN" -ge 1 ] || die "--seconds must be >= 1"
[ "$WARMUP_RUNS" -ge 1 ] || die "--warmup-runs must be >= 1"
[ "$REDIS_PORT" != "$REDOUBT_PORT" ] || die "the two ports must differ"
IFS=',' read -r -a POLICY_LIST <<<"${POLICIES,,}"
IFS=',' read -r -a PIPE_LIST <<<"$PIPELINES"
for p in "${POLICY_LIST[@]}"; do [[ $p =~ ^(always|everysec|no)$ ]] || die "bad policy '$p'"; done
for p in "${PIPE_LIST[@]}"; do { is_uint "$p" && [ "$p" -ge 1 ]; } || die "bad pipeline '$p'"; done
for tool in redis-benchmark redis-cli timeout awk; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x "$REDIS_SERVER" ] || die "$REDIS_SERVER not found or not executable"
[ -x "$REDOUBT_SERVER" ] || die "$REDOUBT_SERVER not found or not executable"

SERVER_PIN=()
CLIENT_PIN=()
if [ "$PIN" = 1 ]; then
  command -v taskset >/dev/null || die "taskset not found (util-linux); use --no-pin"
  taskset -c "$SERVER_CPU" true 2>/dev/null || die "cannot pin to CPU $SERVER_CPU; use --server-cpu or --no-pin"
  taskset -c "$CLIENT_CPU" true 2>/dev/null || die "cannot pin to CPU $CLIENT_CPU; use --client-cpu or --no-pin"
  SERVER_PIN=(taskset -c "$SERVER_CPU")
  CLIENT_PIN=(taskset -c "$CLIENT_CPU")
fi

# ------------------------------------------------------------------------- process management
WORK=$(mktemp -d "${TMPDIR:-/tmp}/redoubt-aof-fsync.XXXXXX") || die "mktemp failed"
declare -A PID_OF=()

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

stop_server() {
  local name=$1 pid=${PID_OF[$1]:-}
  [ -n "$pid" ] || return 0
  stop_pid "$pid"
  unset 'PID_OF[$name]'
}

cleanup() {
  local name
  for name in "${!PID_OF[@]}"; do stop_server "$name"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

port_of() { if [ "$1" = redis ]; then echo "$REDIS_PORT"; else echo "$REDOUBT_PORT"; fi; }

cli() { # cli PORT ARGS... — one bounded redis-cli call
  local port=$1; shift
  timeout 10 "${CLIENT_PIN[@]}" redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1
}

port_busy() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# start_server NAME POLICY: a fresh server in a new empty directory; waits for PONG.
start_server() {
  local name=$1 policy=$2 port dir log pid deadline=$((SECONDS + START_TIMEOUT))
  port=$(port_of "$name")
  port_busy "$port" && die "port $port is already in use"
  dir=$(mktemp -d "$WORK/$name-$policy.XXXX") || die "mktemp failed"
  log="$dir.log"
  local common=(--port "$port" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync "$policy" --dir "$dir")
  [ "$AUTO_REWRITE" = 1 ] || common+=(--auto-aof-rewrite-percentage 0)
  local cmd
  if [ "$name" = redis ]; then cmd=("$REDIS_SERVER" "${common[@]}" --daemonize no)
  else cmd=("$REDOUBT_SERVER" "${common[@]}"); fi
  echo "# $name: $(printf '%q ' "${SERVER_PIN[@]}" "${cmd[@]}")" | sed "s|$WORK|\$TMP|g"
  "${SERVER_PIN[@]}" "${cmd[@]}" >>"$log" 2>&1 </dev/null &
  pid=$!
  PID_OF[$name]=$pid
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "aof-fsync.sh: $name exited during startup; log tail:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    [ "$(cli "$port" PING)" = PONG ] && break
    sleep 0.25
    if [ $SECONDS -ge $deadline ]; then
      echo "aof-fsync.sh: $name did not answer PING within ${START_TIMEOUT}s" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
  done
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
HZ=$(getconf CLK_TCK)

# bench_once NAME P N: one redis-benchmark SET run; sets BENCH_RESULT to the rps or ERR and
# BENCH_CPU to the server's CPU microseconds per request.
BENCH_RESULT=""
BENCH_CPU=""
bench_once() {
  local name=$1 p=$2 n=$3 port out rc rps t0 t1
  port=$(port_of "$name")
  if ! kill -0 "${PID_OF[$name]}" 2>/dev/null; then BENCH_RESULT=ERR; echo "!! $name is not running" >&2; return; fi
  t0=$(cpu_ticks "${PID_OF[$name]}")
  out=$(timeout "$RUN_TIMEOUT" "${CLIENT_PIN[@]}" redis-benchmark -h 127.0.0.1 -p "$port" \
        -c "$CLIENTS" -n "$n" -r "$KEYSPACE" -d "$DATASIZE" -P "$p" -t set --csv 2>"$WORK/bench.err")
  rc=$?
  t1=$(cpu_ticks "${PID_OF[$name]}")
  BENCH_CPU=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.3f", (b - a) * 1e6 / hz / n }')
  rps=$(printf '%s\n' "$out" | awk -F'"' 'NF >= 4 && $2 == "SET" { print $4 }' | tail -n 1)
  if [ $rc -ne 0 ] || [ -z "$rps" ] || grep -q 'Error from server' "$WORK/bench.err"; then
    echo "!! $name -P $p: run failed (exit $rc) $(head -c 200 "$WORK/bench.err")" >&2
    BENCH_RESULT=ERR
    return
  fi
  BENCH_RESULT=$rps
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# --------------------------------------------------------------------------------------- run
echo "# Redoubt vs Redis with the AOF on — bench/aof-fsync.sh"
echo "# command: $CMDLINE"
echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "# host: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "# data dir filesystem: $(df -hT "$WORK" | awk 'NR == 2 { print $1, $2 }')"
echo "# redis: $("$REDIS_SERVER" --version 2>&1 | head -n 1)"
echo "# redoubt: $REDOUBT_SERVER"
echo "# redoubt tree: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ "$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)" -gt 0 ] && echo ' (+uncommitted changes)')"
echo "# redis-benchmark -t set -c $CLIENTS -r $KEYSPACE -d $DATASIZE; -n = fastest warm-up rate x ${SECONDS_PER_RUN}s; $ROUNDS rounds, order alternating"
if [ "$PIN" = 1 ]; then echo "# pinning: servers on CPU $SERVER_CPU, redis-benchmark on CPU $CLIENT_CPU"; else echo "# pinning: none"; fi
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$RAW" ] && printf 'policy\tround\tserver\tpipeline\tn\trps\tcpu_us_per_req\n' >"$RAW"

declare -A RES=() CPU=() NREQ=()
for policy in "${POLICY_LIST[@]}"; do
  start_server redis "$policy"
  start_server redoubt "$policy"
  # Warm-up (JIT, page cache, file growth) and calibration of -n per depth.
  for p in "${PIPE_LIST[@]}"; do
    n0=$((p > 1 ? 500000 : 100000))
    fastest=0
    for ((w = 1; w <= WARMUP_RUNS; w++)); do
      for name in redis redoubt; do
        bench_once "$name" "$p" "$n0"
        [ "$BENCH_RESULT" = ERR ] || [ "$w" -lt "$WARMUP_RUNS" ] && continue
        fastest=$(awk -v a="$fastest" -v b="$BENCH_RESULT" 'BEGIN { print (b > a ? b : a) }')
      done
    done
    n=$(awk -v r="$fastest" -v s="$SECONDS_PER_RUN" -v lo="$MIN_REQUESTS" -v hi="$MAX_REQUESTS" \
        'BEGIN { n = int(r * s / 10000 + 1) * 10000; if (n < lo) n = lo; if (n > hi) n = hi; print n }')
    NREQ[$policy|$p]=$n
    echo "# $policy -P $p: warm-up fastest ${fastest} rps -> -n $n" >&2
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2)); then order=(redis redoubt); else order=(redoubt redis); fi
    for p in "${PIPE_LIST[@]}"; do
      for name in "${order[@]}"; do
        bench_once "$name" "$p" "${NREQ[$policy|$p]}"
        RES[$policy|$p|$name|$r]=$BENCH_RESULT
        CPU[$policy|$p|$name|$r]=$BENCH_CPU
        printf '#   %-8s round %d %-8s -P %-3s %s rps, %s us CPU/request\n' "$policy" "$r" "$name" "$p" "$BENCH_RESULT" "$BENCH_CPU" >&2
        [ -n "$RAW" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$policy" "$r" "$name" "$p" "${NREQ[$policy|$p]}" "$BENCH_RESULT" "$BENCH_CPU" >>"$RAW"
      done
    done
  done
  stop_server redis
  stop_server redoubt
  rm -rf "$WORK"/redis-"$policy".* "$WORK"/redoubt-"$policy".*
done

echo
printf '%-9s %4s %10s %12s %12s %8s  %-13s %s\n' policy -P n "redis rps" "redoubt rps" ratio "range" "per-round redoubt/redis"
for policy in "${POLICY_LIST[@]}"; do
  for p in "${PIPE_LIST[@]}"; do
    rs=() ds=() rr=()
    for ((r = 1; r <= ROUNDS; r++)); do
      a=${RES[$policy|$p|redis|$r]} b=${RES[$policy|$p|redoubt|$r]}
      [ "$a" != ERR ] && rs+=("$a")
      [ "$b" != ERR ] && ds+=("$b")
      if [ "$a" != ERR ] && [ "$b" != ERR ]; then rr+=("$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.3f", x / y }')"); fi
    done
    mr=$([ ${#rs[@]} -gt 0 ] && printf '%s\n' "${rs[@]}" | median | awk '{ printf "%.0f", $1 }' || echo ERR)
    md=$([ ${#ds[@]} -gt 0 ] && printf '%s\n' "${ds[@]}" | median | awk '{ printf "%.0f", $1 }' || echo ERR)
    if [ ${#rr[@]} -gt 0 ]; then
      mratio=$(printf '%s\n' "${rr[@]}" | median | awk '{ printf "%.3f", $1 }')
      range=$(printf '%s\n' "${rr[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s..%s", lo, hi }')
    else
      mratio=ERR range=-
    fi
    printf '%-9s %4s %10s %12s %12s %8s  %-13s %s\n' "$policy" "$p" "${NREQ[$policy|$p]}" "$mr" "$md" "$mratio" "$range" "${rr[*]:-}"
  done
done
echo
printf '%-9s %4s %14s %16s %11s  %s\n' policy -P "redis us/req" "redoubt us/req" "cpu ratio" "(server CPU per request, medians; cpu ratio = redis/redoubt, >1: Redoubt cheaper)"
for policy in "${POLICY_LIST[@]}"; do
  for p in "${PIPE_LIST[@]}"; do
    cr=() cd=()
    for ((r = 1; r <= ROUNDS; r++)); do
      [ "${RES[$policy|$p|redis|$r]}" != ERR ] && cr+=("${CPU[$policy|$p|redis|$r]}")
      [ "${RES[$policy|$p|redoubt|$r]}" != ERR ] && cd+=("${CPU[$policy|$p|redoubt|$r]}")
    done
    a=$([ ${#cr[@]} -gt 0 ] && printf '%s\n' "${cr[@]}" | median || echo 0)
    b=$([ ${#cd[@]} -gt 0 ] && printf '%s\n' "${cd[@]}" | median || echo 0)
    printf '%-9s %4s %14.2f %16.2f %11s\n' "$policy" "$p" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')"
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
