#!/usr/bin/env bash
# bench/compare.sh — Redoubt and real Redis side by side, in one run, on this machine.
#
# Speed mode (default): starts /usr/bin/redis-server and bin/redoubt-server on two loopback ports,
# both with `--save '' --appendonly no`, and runs the same redis-benchmark tests against each,
# alternating which server goes first in every round. Prints the median requests/s of each server
# and, per test, the median of the per-round paired ratios redoubt/redis; then the geometric mean
# of those ratios. A test that a server answers with an error (redis-benchmark stops at the first
# error reply) or that times out is reported as ERR and excluded from the ratios.
#
# Memory mode (--mem N): loads N keys "key:I" -> "value:I" through `redis-cli --pipe` into a
# freshly started server of each kind and reports VmRSS idle / loaded, bytes per key and ratios.
#
# The servers are pinned to one CPU and redis-benchmark to another (taskset), so both servers get
# the same single core (--no-pin to disable). Everything listens on 127.0.0.1 only. Every process
# started here is stopped by PID on exit; every step is bounded with `timeout`.
#
# Run `bench/compare.sh --help` for the options.
set -u -o pipefail

# shell_quote ARGS...: the arguments as one line that a POSIX shell reads back identically.
shell_quote() {
  local a out=""
  for a in "$@"; do
    if [[ -n $a && $a =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]]; then out+=" $a"
    else out+=" '${a//\'/\'\\\'\'}'"; fi
  done
  printf '%s' "${out# }"
}
CMDLINE=$(shell_quote "$0" "$@")
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

# ----------------------------------------------------------------------------------- defaults
ROUNDS=3
TESTS="SET,GET,INCR,MSET,LPUSH,LPOP,SADD,HSET,ZADD,LRANGE_100"
PIPELINES="1,16"
CLIENTS=50
REQUESTS=100000            # per run at -P 1
REQUESTS_PIPELINED=1000000 # per run at -P > 1
KEYSPACE=100000
DATASIZE=16
WARMUP=100000              # requests per test and pipeline on each server before round 1
REDIS_PORT=22000
REDOUBT_PORT=22001
REDIS_SERVER=/usr/bin/redis-server
REDOUBT_SERVER="$ROOT/bin/redoubt-server"
PIN=1
SERVER_CPU=0
CLIENT_CPU=1
MEM_KEYS=0
SETTLE=3                   # seconds to let a server settle before reading its RSS (memory mode)
RAW=""
RUN_TIMEOUT=300
START_TIMEOUT=120

usage() {
  cat <<EOF
Usage: bench/compare.sh [options]

Speed mode (default):
  --rounds R              rounds; the server order alternates per round (default $ROUNDS)
  --tests LIST            comma-separated redis-benchmark tests (default $TESTS)
  --pipelines LIST        comma-separated -P values (default $PIPELINES)
  --clients C             -c (default $CLIENTS)
  --requests N            -n at -P 1 (default $REQUESTS)
  --requests-pipelined N  -n at -P > 1 (default $REQUESTS_PIPELINED)
  --keyspace R            -r (default $KEYSPACE)
  --datasize D            -d (default $DATASIZE)
  --warmup N              warm-up requests per test and pipeline on each server before the
                          first round, discarded (default $WARMUP; 0 disables)
  --raw FILE              also write every run as TSV (round, server, test, pipeline, rps)
  --run-timeout S         bound for one redis-benchmark run in seconds (default $RUN_TIMEOUT)

Memory mode:
  --mem N                 load N keys key:I -> value:I into each fresh server, report VmRSS
  --settle S              seconds to wait before each RSS reading (default $SETTLE)

Common:
  --redis-port P          loopback port for redis-server, 22000-22099 (default $REDIS_PORT)
  --redoubt-port P        loopback port for redoubt, 22000-22099 (default $REDOUBT_PORT)
  --redis-server PATH     (default $REDIS_SERVER)
  --redoubt-server PATH   (default bin/redoubt-server)
  --no-pin                do not pin with taskset
  --server-cpu N          CPU for both servers (default $SERVER_CPU)
  --client-cpu N          CPU for redis-benchmark / redis-cli (default $CLIENT_CPU)
  --start-timeout S       bound for a server to answer PING (default $START_TIMEOUT)

Sanity check of the method (A/A run, both sides real Redis; ratios should be ~1.0):
  bench/compare.sh --redoubt-server /usr/bin/redis-server
EOF
}

die() { echo "compare.sh: $*" >&2; exit 2; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
need_arg() { [ $# -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) need_arg "$@"; ROUNDS=$2; shift 2 ;;
    --tests) need_arg "$@"; TESTS=$2; shift 2 ;;
    --pipelines) need_arg "$@"; PIPELINES=$2; shift 2 ;;
    --clients) need_arg "$@"; CLIENTS=$2; shift 2 ;;
    --requests) need_arg "$@"; REQUESTS=$2; shift 2 ;;
    --requests-pipelined) need_arg "$@"; REQUESTS_PIPELINED=$2; shift 2 ;;
    --keyspace) need_arg "$@"; KEYSPACE=$2; shift 2 ;;
    --datasize) need_arg "$@"; DATASIZE=$2; shift 2 ;;
    --warmup) need_arg "$@"; WARMUP=$2; shift 2 ;;
    --raw) need_arg "$@"; RAW=$2; shift 2 ;;
    --run-timeout) need_arg "$@"; RUN_TIMEOUT=$2; shift 2 ;;
    --mem) need_arg "$@"; MEM_KEYS=$2; shift 2 ;;
    --settle) need_arg "$@"; SETTLE=$2; shift 2 ;;
    --redis-port) need_arg "$@"; REDIS_PORT=$2; shift 2 ;;
    --redoubt-port) need_arg "$@"; REDOUBT_PORT=$2; shift 2 ;;
    --redis-server) need_arg "$@"; REDIS_SERVER=$2; shift 2 ;;
    --redoubt-server) need_arg "$@"; REDOUBT_SERVER=$2; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --server-cpu) need_arg "$@"; SERVER_CPU=$2; shift 2 ;;
    --client-cpu) need_arg "$@"; CLIENT_CPU=$2; shift 2 ;;
    --start-timeout) need_arg "$@"; START_TIMEOUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

for v in ROUNDS CLIENTS REQUESTS REQUESTS_PIPELINED KEYSPACE DATASIZE WARMUP RUN_TIMEOUT MEM_KEYS \
         SETTLE REDIS_PORT REDOUBT_PORT SERVER_CPU CLIENT_CPU START_TIMEOUT; do
  is_uint "${!v}" || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$ROUNDS" -ge 1 ] || die "--rounds must be >= 1"
for p in "$REDIS_PORT" "$REDOUBT_PORT"; do
  { [ "$p" -ge 22000 ] && [ "$p" -le 22099 ]; } || die "ports must be in 22000-22099, got $p"
done
[ "$REDIS_PORT" != "$REDOUBT_PORT" ] || die "the two ports must differ"
IFS=',' read -r -a TEST_LIST <<<"${TESTS^^}"
IFS=',' read -r -a PIPE_LIST <<<"$PIPELINES"
[ ${#TEST_LIST[@]} -gt 0 ] || die "--tests is empty"
for t in "${TEST_LIST[@]}"; do [[ $t =~ ^[A-Z0-9_]+$ ]] || die "bad test name '$t'"; done
for p in "${PIPE_LIST[@]}"; do { is_uint "$p" && [ "$p" -ge 1 ]; } || die "bad pipeline '$p'"; done

for tool in redis-benchmark redis-cli timeout awk; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install redis-tools coreutils gawk)"
done
[ -x "$REDIS_SERVER" ] || die "$REDIS_SERVER not found or not executable (Debian: apt-get install redis-server)"
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
WORK=$(mktemp -d "${TMPDIR:-/tmp}/redoubt-compare.XXXXXX") || die "mktemp failed"
PIDS=()
declare -A PID_OF=()

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    [ -n "$pid" ] && stop_pid "$pid"
  done
  PIDS=()
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

port_of() { if [ "$1" = redis ]; then echo "$REDIS_PORT"; else echo "$REDOUBT_PORT"; fi; }

cli() { # cli PORT ARGS... — one bounded redis-cli call, raw output
  local port=$1; shift
  timeout 10 "${CLIENT_PIN[@]}" redis-cli -h 127.0.0.1 -p "$port" "$@" 2>&1
}

port_busy() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# start_server NAME: starts the named server on its port and waits for PONG; sets PID_OF[NAME].
start_server() {
  local name=$1 port log pid deadline=$((SECONDS + START_TIMEOUT))
  port=$(port_of "$name")
  log="$WORK/$name.log"
  port_busy "$port" && die "port $port is already in use"
  mkdir -p "$WORK/$name-dir"
  local cmd
  if [ "$name" = redis ]; then
    cmd=("$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no
         --dir "$WORK/$name-dir" --daemonize no)
  else
    cmd=("$REDOUBT_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no
         --dir "$WORK/$name-dir")
  fi
  echo "# $name server: $(shell_quote "${SERVER_PIN[@]}" "${cmd[@]}")" | sed "s|$WORK|\$TMP|g" >>"$WORK/servers.txt"
  "${SERVER_PIN[@]}" "${cmd[@]}" >>"$log" 2>&1 </dev/null &
  pid=$!
  PIDS+=("$pid")
  PID_OF[$name]=$pid
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "compare.sh: $name exited during startup; log tail:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    [ "$(cli "$port" PING)" = PONG ] && break
    sleep 0.25
    if [ $SECONDS -ge $deadline ]; then
      echo "compare.sh: $name did not answer PING within ${START_TIMEOUT}s; log tail:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
  done
}

stop_server() {
  local name=$1 pid=${PID_OF[$1]:-} i
  [ -n "$pid" ] || return 0
  stop_pid "$pid"
  for i in "${!PIDS[@]}"; do [ "${PIDS[$i]}" = "$pid" ] && unset 'PIDS[i]'; done
  PIDS=("${PIDS[@]}")
  unset 'PID_OF[$name]'
}

# ensure_alive NAME: restarts a server that died (e.g. crashed in a test), so later tests still run.
ensure_alive() {
  local name=$1 pid=${PID_OF[$1]:-}
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "!! $name (pid ${pid:-?}) is not running; log tail:" >&2
    tail -n 10 "$WORK/$name.log" >&2
    [ -n "$pid" ] && stop_server "$name"
    start_server "$name"
    echo "!! $name restarted (pid ${PID_OF[$name]})" >&2
  fi
}

# proc_cmdline PID: the process's argv, shell-quoted, with the scratch directory shown as $TMP.
proc_cmdline() {
  local args=()
  mapfile -d '' args <"/proc/$1/cmdline" 2>/dev/null || return 0
  [ ${#args[@]} -gt 0 ] && shell_quote "${args[@]}" | sed "s|$WORK|\$TMP|g"
}

rss_kb() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status" 2>/dev/null; }

# --------------------------------------------------------------------------------- environment
if [ "$REDOUBT_SERVER" = "$ROOT/bin/redoubt-server" ] && [ ! -f "$ROOT/server/target/redoubt.jar" ]; then
  echo "# building server/target/redoubt.jar (first run)..." >&2
  timeout 1800 "$ROOT/mvnw" -q -DskipTests package >&2 || die "build failed"
fi

java_version() {
  ( . "$ROOT/bin/find-java.sh" >/dev/null 2>&1 && "$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 ) || echo unknown
}

print_header() {
  echo "# Redoubt vs Redis — bench/compare.sh"
  echo "# command: $CMDLINE"
  echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "# host: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "# redis: $("$REDIS_SERVER" --version 2>&1 | head -n 1)"
  echo "# redis-benchmark: $(timeout 10 redis-benchmark --version 2>&1 | head -n 1)"
  if [ "$REDOUBT_SERVER" = "$ROOT/bin/redoubt-server" ]; then
    echo "# redoubt: bin/redoubt-server, java: $(java_version)${REDOUBT_JAVA_OPTS:+, REDOUBT_JAVA_OPTS=$REDOUBT_JAVA_OPTS}"
  else
    echo "# redoubt: $REDOUBT_SERVER"
  fi
  local rev dirty
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
  dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)
  echo "# redoubt tree: $rev$([ "$dirty" -gt 0 ] && echo " (+$dirty uncommitted paths)")"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other load on the machine skews both servers; compare per-round ratios)"
  if [ "$PIN" = 1 ]; then
    echo "# pinning: servers on CPU $SERVER_CPU, redis-benchmark on CPU $CLIENT_CPU (taskset)"
  else
    echo "# pinning: none (--no-pin)"
  fi
}

# ---------------------------------------------------------------------------------- speed mode
declare -A RES=()   # RES[server|test|P|round] = rps or ERR
declare -A ERRMSG=()

# bench_once SERVER TEST P N: one FLUSHALL + one redis-benchmark run; sets BENCH_RESULT to the
# rps or ERR. Not meant for $(...): a restart in ensure_alive must update this shell's PID table.
BENCH_RESULT=""
bench_once() {
  local name=$1 test=$2 p=$3 n=$4 port out rc rps errf="$WORK/bench.err"
  port=$(port_of "$name")
  ensure_alive "$name" >&2
  local fl
  fl=$(cli "$port" FLUSHALL)
  [ "$fl" = OK ] || echo "!! $name: FLUSHALL answered '$fl'" >&2
  out=$(timeout "$RUN_TIMEOUT" "${CLIENT_PIN[@]}" redis-benchmark -h 127.0.0.1 -p "$port" \
        -c "$CLIENTS" -n "$n" -r "$KEYSPACE" -d "$DATASIZE" -P "$p" -t "${test,,}" --csv 2>"$errf")
  rc=$?
  rps=$(printf '%s\n' "$out" | awk -F'"' -v t="$test" 'NF >= 4 { split($2, w, " "); if (toupper(w[1]) == t) print $4 }' | tail -n 1)
  if [ $rc -ne 0 ] || [ -z "$rps" ] || grep -q 'Error from server' "$errf"; then
    local why
    if [ $rc -eq 124 ]; then why="timeout after ${RUN_TIMEOUT}s"
    else why=$(grep -m1 -E 'Error|error|refused|reset' "$errf" || true); why=${why:-"exit $rc, no result"}; fi
    ERRMSG[$name|$test]=$why
    BENCH_RESULT=ERR
    return
  fi
  BENCH_RESULT=$rps
}

median() { # numbers on stdin → median
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) printf "%s\n", a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

speed_mode() {
  print_header
  echo "# redis-benchmark -c $CLIENTS -r $KEYSPACE -d $DATASIZE, -n $REQUESTS at -P 1 and $REQUESTS_PIPELINED at -P > 1;" \
       "FLUSHALL before each run; $ROUNDS round(s), server order alternating; warm-up $WARMUP requests per test"
  start_server redis
  start_server redoubt
  cat "$WORK/servers.txt"
  echo "# redoubt process: $(proc_cmdline "${PID_OF[redoubt]}")"
  [ -n "$RAW" ] && printf 'round\tserver\ttest\tpipeline\trps\n' >"$RAW"

  local t p r name first second n v
  if [ "$WARMUP" -gt 0 ]; then
    echo "# warming up..." >&2
    for t in "${TEST_LIST[@]}"; do
      for p in "${PIPE_LIST[@]}"; do
        for name in redis redoubt; do bench_once "$name" "$t" "$p" "$WARMUP"; done
      done
    done
    ERRMSG=()
  fi

  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2)); then first=redis; second=redoubt; else first=redoubt; second=redis; fi
    echo "# round $r/$ROUNDS ($first first)" >&2
    for t in "${TEST_LIST[@]}"; do
      for p in "${PIPE_LIST[@]}"; do
        if [ "$p" -gt 1 ]; then n=$REQUESTS_PIPELINED; else n=$REQUESTS; fi
        for name in "$first" "$second"; do
          bench_once "$name" "$t" "$p" "$n"
          v=$BENCH_RESULT
          RES[$name|$t|$p|$r]=$v
          printf '#   %-8s %-11s -P %-3s %s\n' "$name" "$t" "$p" "$v" >&2
          [ -n "$RAW" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$t" "$p" "$v" >>"$RAW"
        done
      done
    done
  done

  echo
  printf '%-11s %4s %14s %14s %9s   %s\n' test -P "redis rps" "redoubt rps" ratio "per-round redoubt/redis"
  local ratios_all=() excluded=()
  declare -A ratios_by_p=()
  for t in "${TEST_LIST[@]}"; do
    for p in "${PIPE_LIST[@]}"; do
      local rs=() ds=() rr=() err_r=0 err_d=0 a b
      for ((r = 1; r <= ROUNDS; r++)); do
        a=${RES[redis|$t|$p|$r]}
        b=${RES[redoubt|$t|$p|$r]}
        [ "$a" = ERR ] && err_r=1 || rs+=("$a")
        [ "$b" = ERR ] && err_d=1 || ds+=("$b")
        if [ "$a" != ERR ] && [ "$b" != ERR ]; then
          rr+=("$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.3f", x / y }')")
        fi
      done
      local mr md mratio
      if [ $err_r = 1 ]; then mr=ERR; else mr=$(printf '%s\n' "${rs[@]}" | median | awk '{ printf "%.0f", $1 }'); fi
      if [ $err_d = 1 ]; then md=ERR; else md=$(printf '%s\n' "${ds[@]}" | median | awk '{ printf "%.0f", $1 }'); fi
      if [ $err_r = 1 ] || [ $err_d = 1 ]; then
        mratio=ERR
        excluded+=("$t -P $p")
      else
        mratio=$(printf '%s\n' "${rr[@]}" | median | awk '{ printf "%.3f", $1 }')
        ratios_all+=("$mratio")
        ratios_by_p[$p]+="$mratio "
      fi
      printf '%-11s %4s %14s %14s %9s   %s\n' "$t" "$p" "$mr" "$md" "$mratio" "${rr[*]:-}"
    done
  done
  echo
  geomean() { awk '{ for (i = 1; i <= NF; i++) { s += log($i); n++ } } END { if (n) printf "%.3f (%d tests)", exp(s / n), n; else printf "n/a" }'; }
  for p in "${PIPE_LIST[@]}"; do
    echo "geometric mean redoubt/redis at -P $p: $(echo "${ratios_by_p[$p]:-}" | geomean)"
  done
  echo "geometric mean redoubt/redis overall: $(echo "${ratios_all[*]:-}" | geomean)"
  if [ ${#excluded[@]} -gt 0 ]; then
    echo "excluded (ERR): ${excluded[*]}"
    local k
    for k in "${!ERRMSG[@]}"; do echo "  ERR ${k%%|*} ${k#*|}: ${ERRMSG[$k]}"; done | sort
  fi
}

# --------------------------------------------------------------------------------- memory mode
mem_mode() {
  print_header
  echo "# memory: $MEM_KEYS keys key:I -> value:I via redis-cli --pipe into a fresh server; VmRSS read after ${SETTLE}s settle"
  local file="$WORK/load.resp"
  awk -v n="$MEM_KEYS" 'BEGIN { for (i = 0; i < n; i++) { k = "key:" i; v = "value:" i;
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v } }' >"$file"
  local load_timeout=$((60 + MEM_KEYS / 5000))
  declare -A IDLE=() LOADED=() PEAK=() USED=()
  local name port pid out keys proc=""
  for name in redis redoubt; do
    start_server "$name"
    port=$(port_of "$name")
    pid=${PID_OF[$name]}
    [ "$name" = redoubt ] && proc=$(proc_cmdline "$pid")
    sleep "$SETTLE"
    IDLE[$name]=$(rss_kb "$pid" VmRSS)
    out=$(timeout "$load_timeout" "${CLIENT_PIN[@]}" redis-cli -h 127.0.0.1 -p "$port" --pipe <"$file" 2>&1)
    echo "# $name: $(printf '%s\n' "$out" | grep -E 'errors' | tail -n 1)"
    keys=$(cli "$port" DBSIZE)
    [ "$keys" = "$MEM_KEYS" ] || echo "!! $name: DBSIZE is '$keys', expected $MEM_KEYS" >&2
    sleep "$SETTLE"
    LOADED[$name]=$(rss_kb "$pid" VmRSS)
    PEAK[$name]=$(rss_kb "$pid" VmHWM)
    USED[$name]=$(cli "$port" INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }')
    stop_server "$name"
  done
  cat "$WORK/servers.txt"
  echo "# redoubt process: $proc"
  echo
  printf '%-8s %14s %14s %14s %10s %16s\n' server "idle RSS KiB" "loaded RSS KiB" "peak RSS KiB" bytes/key "used_memory B"
  for name in redis redoubt; do
    awk -v s="$name" -v i="${IDLE[$name]}" -v l="${LOADED[$name]}" -v h="${PEAK[$name]}" -v n="$MEM_KEYS" -v u="${USED[$name]:-n/a}" \
      'BEGIN { bpk = n > 0 ? (l - i) * 1024 / n : 0; printf "%-8s %14d %14d %14d %10.1f %16s\n", s, i, l, h, bpk, (u == "" ? "n/a" : u) }'
  done
  awk -v ri="${IDLE[redis]}" -v rl="${LOADED[redis]}" -v di="${IDLE[redoubt]}" -v dl="${LOADED[redoubt]}" \
      -v rh="${PEAK[redis]}" -v dh="${PEAK[redoubt]}" 'BEGIN {
    printf "\nratio redoubt/redis: loaded RSS %.2f, peak RSS %.2f, bytes/key %s\n", dl / rl, dh / rh,
      (rl > ri && dl > di) ? sprintf("%.2f", (dl - di) / (rl - ri)) : "n/a" }'
}

if [ "$MEM_KEYS" -gt 0 ]; then mem_mode; else speed_mode; fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
