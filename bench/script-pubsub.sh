#!/usr/bin/env bash
# bench/script-pubsub.sh — EVALSHA and PUBLISH, Redoubt and real Redis side by side, in one run.
#
# Starts /usr/bin/redis-server and bin/redoubt-server on two loopback ports (both with
# `--save '' --appendonly no`) and on each:
#   - SET key to a 16-byte value and SCRIPT LOAD "return redis.call('get',KEYS[1])";
#   - starts --subscribers plain subscribers on one channel (bash /dev/tcp + wc -c: they read
#     and count bytes, nothing else, so the client side costs both servers the same).
# Then runs, per round and pipeline depth, with the server order alternating every round:
#   redis-benchmark -c C -n N -P P EVALSHA <sha> 1 key
#   redis-benchmark -c C -n N -P P PUBLISH chan 0123456789abcdef   (fan-out to every subscriber)
# and prints the median requests/s of each server and, per test, the median of the per-round
# paired ratios redoubt/redis with their range. As a cross-check that other load on the machine
# does not skew, it also prints the server CPU (user+sys of the server process, all threads) per
# request and its ratio redis/redoubt (>1: Redoubt cheaper). Before each run it checks that every subscriber
# is still subscribed; at the end it prints how many bytes each subscriber received (the same
# count on every subscriber of a server shows that no message was lost).
#
# Servers are pinned to one CPU, redis-benchmark and the subscribers to another (taskset). Only
# 127.0.0.1 is used; every process started here is stopped by its own PID on exit; every step is
# bounded with `timeout`. Run `bench/script-pubsub.sh --help` for the options.
set -u -o pipefail

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
TESTS="EVALSHA,PUBLISH"
PIPELINES="1,16"
CLIENTS=50
REQUESTS=100000            # per run at -P 1
REQUESTS_PIPELINED=1000000 # per run at -P > 1
SUBSCRIBERS=10
WARMUP=100000              # requests per test and pipeline on each server before round 1
REDIS_PORT=22010
REDOUBT_PORT=22011
REDIS_SERVER=/usr/bin/redis-server
REDOUBT_SERVER="$ROOT/bin/redoubt-server"
PIN=1
SERVER_CPU=0
CLIENT_CPU=1
RUN_TIMEOUT=300
START_TIMEOUT=120
SCRIPT="return redis.call('get',KEYS[1])"
CHANNEL=chan
PAYLOAD=0123456789abcdef

usage() {
  cat <<EOF
Usage: bench/script-pubsub.sh [options]
  --rounds R              rounds; the server order alternates per round (default $ROUNDS)
  --tests LIST            EVALSHA and/or PUBLISH, comma-separated (default $TESTS)
  --pipelines LIST        comma-separated -P values (default $PIPELINES)
  --clients C             redis-benchmark -c (default $CLIENTS)
  --requests N            -n at -P 1 (default $REQUESTS)
  --requests-pipelined N  -n at -P > 1 (default $REQUESTS_PIPELINED)
  --subscribers S         subscribers of the PUBLISH channel on each server (default $SUBSCRIBERS)
  --warmup N              warm-up requests per test and pipeline on each server, discarded
                          (default $WARMUP; 0 disables)
  --run-timeout S         bound for one redis-benchmark run in seconds (default $RUN_TIMEOUT)
  --redis-port P          loopback port for redis-server (default $REDIS_PORT)
  --redoubt-port P        loopback port for redoubt (default $REDOUBT_PORT)
  --redis-server PATH     (default $REDIS_SERVER)
  --redoubt-server PATH   (default bin/redoubt-server)
  --no-pin                do not pin with taskset
  --server-cpu N          CPU for both servers (default $SERVER_CPU)
  --client-cpu N          CPU for redis-benchmark and the subscribers (default $CLIENT_CPU)
  --start-timeout S       bound for a server to answer PING (default $START_TIMEOUT)

Sanity check of the method (A/A run, both sides real Redis; ratios should be ~1.0):
  bench/script-pubsub.sh --redoubt-server /usr/bin/redis-server
EOF
}

die() { echo "script-pubsub.sh: $*" >&2; exit 2; }
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
    --subscribers) need_arg "$@"; SUBSCRIBERS=$2; shift 2 ;;
    --warmup) need_arg "$@"; WARMUP=$2; shift 2 ;;
    --run-timeout) need_arg "$@"; RUN_TIMEOUT=$2; shift 2 ;;
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

for v in ROUNDS CLIENTS REQUESTS REQUESTS_PIPELINED SUBSCRIBERS WARMUP RUN_TIMEOUT REDIS_PORT \
         REDOUBT_PORT SERVER_CPU CLIENT_CPU START_TIMEOUT; do
  is_uint "${!v}" || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$ROUNDS" -ge 1 ] || die "--rounds must be >= 1"
[ "$SUBSCRIBERS" -le 1000 ] || die "--subscribers must be <= 1000"
for p in "$REDIS_PORT" "$REDOUBT_PORT"; do
  { [ "$p" -ge 1024 ] && [ "$p" -le 65535 ]; } || die "ports must be in 1024-65535, got $p"
done
[ "$REDIS_PORT" != "$REDOUBT_PORT" ] || die "the two ports must differ"
IFS=',' read -r -a TEST_LIST <<<"${TESTS^^}"
IFS=',' read -r -a PIPE_LIST <<<"$PIPELINES"
[ ${#TEST_LIST[@]} -gt 0 ] || die "--tests is empty"
for t in "${TEST_LIST[@]}"; do [[ $t == EVALSHA || $t == PUBLISH ]] || die "bad test name '$t'"; done
for p in "${PIPE_LIST[@]}"; do { is_uint "$p" && [ "$p" -ge 1 ]; } || die "bad pipeline '$p'"; done

for tool in redis-benchmark redis-cli timeout awk sha1sum wc; do
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
WORK=$(mktemp -d "${TMPDIR:-/tmp}/redoubt-script-pubsub.XXXXXX") || die "mktemp failed"
PIDS=()                 # every process started here, servers and subscribers
declare -A PID_OF=()    # server name -> pid
declare -A SUBS_OF=()   # server name -> "pid pid ..." of its subscribers

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

forget_pid() {
  local i
  for i in "${!PIDS[@]}"; do [ "${PIDS[$i]}" = "$1" ] && unset 'PIDS[i]'; done
  PIDS=("${PIDS[@]}")
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
  echo "# $name server: $(shell_quote "${SERVER_PIN[@]}" "${cmd[@]}")" | sed "s|$WORK|\$TMP|g"
  "${SERVER_PIN[@]}" "${cmd[@]}" >>"$log" 2>&1 </dev/null &
  pid=$!
  PIDS+=("$pid")
  PID_OF[$name]=$pid
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "script-pubsub.sh: $name exited during startup; log tail:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    [ "$(cli "$port" PING)" = PONG ] && break
    sleep 0.25
    if [ $SECONDS -ge $deadline ]; then
      echo "script-pubsub.sh: $name did not answer PING within ${START_TIMEOUT}s; log tail:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
  done
}

# start_subscribers NAME: SUBSCRIBERS readers of CHANNEL on the server; each counts the bytes it
# receives until the server closes the connection and writes the count to its file.
start_subscribers() {
  local name=$1 port i pid deadline=$((SECONDS + 30)) n
  port=$(port_of "$name")
  SUBS_OF[$name]=""
  for ((i = 0; i < SUBSCRIBERS; i++)); do
    "${CLIENT_PIN[@]}" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
      printf "SUBSCRIBE %s\r\n" "$2" >&3
      exec wc -c <&3 >"$3"' subscriber "$port" "$CHANNEL" "$WORK/$name-sub$i.bytes" </dev/null 2>>"$WORK/$name-subs.err" &
    pid=$!
    PIDS+=("$pid")
    SUBS_OF[$name]+="$pid "
  done
  while :; do
    n=$(cli "$port" PUBSUB NUMSUB "$CHANNEL" | sed -n 2p)
    [ "$n" = "$SUBSCRIBERS" ] && break
    [ $SECONDS -ge $deadline ] && die "$name: $n of $SUBSCRIBERS subscribers after 30s"
    sleep 0.1
  done
}

# check_subscribers NAME: every subscriber process alive and subscribed.
check_subscribers() {
  local name=$1 pid n
  for pid in ${SUBS_OF[$name]}; do
    kill -0 "$pid" 2>/dev/null || die "$name: subscriber $pid exited"
  done
  n=$(cli "$(port_of "$name")" PUBSUB NUMSUB "$CHANNEL" | sed -n 2p)
  [ "$n" = "$SUBSCRIBERS" ] || die "$name: $n of $SUBSCRIBERS subscribers left"
}

# ------------------------------------------------------------------------------------ running
declare -A SHA_OF=()
declare -A RES=()   # RES[server|test|P|round] = rps or ERR
declare -A CPU=()   # CPU[server|test|P|round] = server CPU microseconds per request
CLK_TCK=$(getconf CLK_TCK)

cpu_ticks() { # utime+stime of a process, all threads, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
declare -A ERRMSG=()

prepare() {
  local name=$1 port sha want
  port=$(port_of "$name")
  [ "$(cli "$port" SET key "$PAYLOAD")" = OK ] || die "$name: SET failed"
  sha=$(cli "$port" SCRIPT LOAD "$SCRIPT")
  want=$(printf '%s' "$SCRIPT" | sha1sum | cut -d' ' -f1)
  [ "$sha" = "$want" ] || die "$name: SCRIPT LOAD answered '$sha', expected $want"
  [ "$(cli "$port" EVALSHA "$sha" 1 key)" = "$PAYLOAD" ] || die "$name: EVALSHA does not return the value"
  SHA_OF[$name]=$sha
  if [[ " ${TEST_LIST[*]} " == *" PUBLISH "* ]]; then start_subscribers "$name"; fi
}

BENCH_RESULT="" BENCH_CPU=""
bench_once() {
  local name=$1 test=$2 p=$3 n=$4 port out rc rps errf="$WORK/bench.err" cmd t0 t1
  port=$(port_of "$name")
  kill -0 "${PID_OF[$name]}" 2>/dev/null || die "$name (pid ${PID_OF[$name]}) is not running"
  if [ "$test" = EVALSHA ]; then cmd=(EVALSHA "${SHA_OF[$name]}" 1 key)
  else check_subscribers "$name"; cmd=(PUBLISH "$CHANNEL" "$PAYLOAD"); fi
  t0=$(cpu_ticks "${PID_OF[$name]}")
  out=$(timeout "$RUN_TIMEOUT" "${CLIENT_PIN[@]}" redis-benchmark -h 127.0.0.1 -p "$port" \
        -c "$CLIENTS" -n "$n" -P "$p" --csv "${cmd[@]}" 2>"$errf")
  rc=$?
  t1=$(cpu_ticks "${PID_OF[$name]}")
  BENCH_CPU=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.3f", d * 1e6 / hz / n }')
  rps=$(printf '%s\n' "$out" | awk -F'"' 'NF >= 4 && $2 != "test" { print $4 }' | tail -n 1)
  if [ $rc -ne 0 ] || [ -z "$rps" ] || grep -q -i 'error' "$errf"; then
    local why
    if [ $rc -eq 124 ]; then why="timeout after ${RUN_TIMEOUT}s"
    else why=$(grep -m1 -i -E 'error|refused|reset' "$errf" || true); why=${why:-"exit $rc, no result"}; fi
    ERRMSG[$name|$test]=$why
    BENCH_RESULT=ERR
    return
  fi
  BENCH_RESULT=$rps
}

median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) printf "%s\n", a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

java_version() {
  ( . "$ROOT/bin/find-java.sh" >/dev/null 2>&1 && "$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 ) || echo unknown
}

if [ "$REDOUBT_SERVER" = "$ROOT/bin/redoubt-server" ] && [ ! -f "$ROOT/server/target/redoubt.jar" ]; then
  echo "# building server/target/redoubt.jar (first run)..." >&2
  timeout 1800 "$ROOT/mvnw" -q -DskipTests package >&2 || die "build failed"
fi

echo "# Redoubt vs Redis: EVALSHA and PUBLISH — bench/script-pubsub.sh"
echo "# command: $CMDLINE"
echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "# host: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "# redis: $("$REDIS_SERVER" --version 2>&1 | head -n 1)"
if [ "$REDOUBT_SERVER" = "$ROOT/bin/redoubt-server" ]; then
  echo "# redoubt: bin/redoubt-server, java: $(java_version)${REDOUBT_JAVA_OPTS:+, REDOUBT_JAVA_OPTS=$REDOUBT_JAVA_OPTS}"
else
  echo "# redoubt: $REDOUBT_SERVER"
fi
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
dirty=$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)
echo "# redoubt tree: $rev$([ "$dirty" -gt 0 ] && echo " (+$dirty uncommitted paths)")"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$PIN" = 1 ]; then
  echo "# pinning: servers on CPU $SERVER_CPU, redis-benchmark and subscribers on CPU $CLIENT_CPU (taskset)"
else
  echo "# pinning: none (--no-pin)"
fi
echo "# script: $SCRIPT; PUBLISH $CHANNEL $PAYLOAD to $SUBSCRIBERS subscribers per server"
echo "# redis-benchmark -c $CLIENTS, -n $REQUESTS at -P 1 and $REQUESTS_PIPELINED at -P > 1;" \
     "$ROUNDS round(s), server order alternating; warm-up $WARMUP requests per test"

start_server redis
start_server redoubt
prepare redis
prepare redoubt

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
        RES[$name|$t|$p|$r]=$BENCH_RESULT
        CPU[$name|$t|$p|$r]=$BENCH_CPU
        printf '#   %-8s %-8s -P %-3s %s rps, %s us cpu/req\n' "$name" "$t" "$p" "$BENCH_RESULT" "$BENCH_CPU" >&2
      done
    done
  done
done
for name in redis redoubt; do
  if [[ " ${TEST_LIST[*]} " == *" PUBLISH "* ]]; then check_subscribers "$name"; fi
done

echo
CPU_LINES=()
printf '%-8s %4s %14s %14s %9s   %s\n' test -P "redis rps" "redoubt rps" ratio "per-round redoubt/redis"
for t in "${TEST_LIST[@]}"; do
  for p in "${PIPE_LIST[@]}"; do
    rs=() ds=() rr=() err=0 cr=() cd=() cc=()
    for ((r = 1; r <= ROUNDS; r++)); do
      a=${RES[redis|$t|$p|$r]}
      b=${RES[redoubt|$t|$p|$r]}
      if [ "$a" = ERR ] || [ "$b" = ERR ]; then err=1; continue; fi
      rs+=("$a"); ds+=("$b")
      rr+=("$(awk -v x="$b" -v y="$a" 'BEGIN { printf "%.3f", x / y }')")
      cr+=("${CPU[redis|$t|$p|$r]}"); cd+=("${CPU[redoubt|$t|$p|$r]}")
      cc+=("$(awk -v x="${CPU[redis|$t|$p|$r]}" -v y="${CPU[redoubt|$t|$p|$r]}" 'BEGIN { if (y > 0) printf "%.3f", x / y; else print "n/a" }')")
    done
    if [ $err = 1 ]; then
      printf '%-8s %4s %14s %14s %9s\n' "$t" "$p" ERR ERR ERR
      continue
    fi
    mr=$(printf '%s\n' "${rs[@]}" | median | awk '{ printf "%.0f", $1 }')
    md=$(printf '%s\n' "${ds[@]}" | median | awk '{ printf "%.0f", $1 }')
    mratio=$(printf '%s\n' "${rr[@]}" | median | awk '{ printf "%.3f", $1 }')
    printf '%-8s %4s %14s %14s %9s   %s\n' "$t" "$p" "$mr" "$md" "$mratio" "${rr[*]}"
    CPU_LINES+=("$(printf '%-8s %4s %14s %14s %9s   %s' "$t" "$p" \
      "$(printf '%s\n' "${cr[@]}" | median | awk '{ printf "%.2f", $1 }')" \
      "$(printf '%s\n' "${cd[@]}" | median | awk '{ printf "%.2f", $1 }')" \
      "$(printf '%s\n' "${cc[@]}" | grep -v n/a | median | awk '{ printf "%.3f", $1 }')" "${cc[*]}")")
  done
done
echo
echo "# server CPU per request (user+sys of the server process, microseconds); ratio = redis/redoubt, >1: Redoubt cheaper"
printf '%-8s %4s %14s %14s %9s   %s\n' test -P "redis us" "redoubt us" ratio "per-round redis/redoubt"
for l in "${CPU_LINES[@]}"; do echo "$l"; done
for k in "${!ERRMSG[@]}"; do echo "# ERR $k: ${ERRMSG[$k]}"; done

# Subscribers count what they received until their server closes the connection.
if [[ " ${TEST_LIST[*]} " == *" PUBLISH "* ]]; then
  echo
  for name in redis redoubt; do
    stop_pid "${PID_OF[$name]}"; forget_pid "${PID_OF[$name]}"
    for pid in ${SUBS_OF[$name]}; do
      for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      stop_pid "$pid"; forget_pid "$pid"
    done
    counts=$(cat "$WORK/$name"-sub*.bytes 2>/dev/null | sort -n | uniq -c | awk '{ printf "%s x %s bytes; ", $1, $2 }')
    echo "# $name subscribers received: ${counts:-nothing}"
  done
fi
