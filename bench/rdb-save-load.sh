#!/usr/bin/env bash
# bench/rdb-save-load.sh - SAVE time and load-at-start time of the same dataset in real
# redis-server and in Redoubt, side by side in one run (issue: RDB persistence).
#
# For each server, ROUNDS times, alternating which goes first: start it fresh on an empty dir,
# load N keys "key:%012d" -> 16-byte value through redis-cli --pipe (the latency-during-save.sh
# shape), time a foreground SAVE, SHUTDOWN NOSAVE, restart it on the dump and time from the
# process start until INFO says loading:0 and the keyspace holds N keys. Reports the medians,
# each server's own "DB loaded from disk" log figure, the dump sizes, and the ratios
# Redoubt/Redis (< 1: Redoubt faster).
#
# Usage: bench/rdb-save-load.sh [--keys N] [--rounds R] [--ports A,B]
# Loopback only; every process started here is stopped by PID; every step is time-bounded.
set -u -o pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KEYS=5000000; ROUNDS=3; PR=22020; PC=22021
while [[ $# -gt 0 ]]; do
  case $1 in
    --keys) KEYS=$2; shift 2;; --rounds) ROUNDS=$2; shift 2;;
    --ports) PR=${2%,*}; PC=${2#*,}; shift 2;;
    -h|--help) sed -n '2,14p' "$0"; exit 0;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
echo "command: $0 --keys $KEYS --rounds $ROUNDS --ports $PR,$PC"
TMP=$(mktemp -d /tmp/rdb-save-load.XXXXXX)
PID=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
now() { date +%s.%N; }
cli() { timeout 600 redis-cli -p "$1" "${@:2}"; }

start() { # kind port dir -> sets PID
  local kind=$1 port=$2 dir=$3
  if [[ $kind == redis ]]; then
    ( cd "$dir" && exec redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --dbfilename dump.rdb ) >>"$dir/server.log" 2>&1 &
  else
    ( cd "$dir" && exec "$ROOT/bin/redoubt-server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --dbfilename dump.rdb ) >>"$dir/server.log" 2>&1 &
  fi
  PID=$!
}
wait_loaded() { # port -> 0 once PING answers and loading:0 (bounded 600 s)
  local port=$1
  for _ in $(seq 1 6000); do
    if [[ $(redis-cli -p "$port" info persistence 2>/dev/null | tr -d '\r' | awk -F: '$1=="loading"{print $2}') == 0 ]]; then return 0; fi
    sleep 0.1
  done
  return 1
}
stop() { [[ -n $PID ]] && { kill "$PID" 2>/dev/null; for _ in $(seq 1 300); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done; kill -9 "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }; PID=""; }

LOAD=$TMP/load.resp
awk -v n="$KEYS" 'BEGIN{v="vvvvvvvvvvvvvvvv"; for(i=0;i<n;i++){k=sprintf("key:%012d", i);
  printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n", length(k), k, v}}' > "$LOAD"

declare -A SAVE LOADT LOGT SIZE
one() { # kind round
  local kind=$1 r=$2 port=$PR; [[ $kind == redoubt ]] && port=$PC
  local dir=$TMP/$kind.$r; mkdir -p "$dir"
  start "$kind" "$port" "$dir"; wait_loaded "$port" || { echo "$kind did not start" >&2; stop; return; }
  timeout 900 redis-cli -p "$port" --pipe < "$LOAD" > "$dir/pipe.out" 2>&1
  local t0 t1; t0=$(now); cli "$port" save > /dev/null; t1=$(now)
  SAVE[$kind,$r]=$(echo "$t1 - $t0" | bc)
  SIZE[$kind]=$(stat -c %s "$dir/dump.rdb")
  cli "$port" shutdown nosave > /dev/null 2>&1; stop
  : > "$dir/server.log"
  t0=$(now); start "$kind" "$port" "$dir"
  wait_loaded "$port" || echo "$kind did not load" >&2
  t1=$(now)
  local n; n=$(cli "$port" dbsize)
  [[ $n == "$KEYS" ]] || echo "WARNING: $kind dbsize $n != $KEYS after restart" >&2
  LOADT[$kind,$r]=$(echo "$t1 - $t0" | bc)
  LOGT[$kind,$r]=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$dir/server.log" | grep -o '[0-9.]*' | head -1)
  stop; rm -rf "$dir"
  printf "round %d %-8s save %6.2f s  start+load %6.2f s  (log: %s s)\n" "$r" "$kind" "${SAVE[$kind,$r]}" "${LOADT[$kind,$r]}" "${LOGT[$kind,$r]:-?}"
}
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then one redis "$r"; one redoubt "$r"; else one redoubt "$r"; one redis "$r"; fi
done
med() { sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
echo "== $KEYS keys, median of $ROUNDS rounds =="
printf "%-8s %10s %16s %14s %12s\n" server save_s start+load_s log_load_s dump_MB
for k in redis redoubt; do
  s=$(for r in $(seq 1 "$ROUNDS"); do echo "${SAVE[$k,$r]}"; done | med)
  l=$(for r in $(seq 1 "$ROUNDS"); do echo "${LOADT[$k,$r]}"; done | med)
  g=$(for r in $(seq 1 "$ROUNDS"); do echo "${LOGT[$k,$r]:-0}"; done | med)
  printf "%-8s %10.2f %16.2f %14.2f %12.1f\n" "$k" "$s" "$l" "$g" "$(echo "${SIZE[$k]} / 1048576" | bc -l)"
  eval "M_${k}_s=$s; M_${k}_l=$l"
done
awk -v rs="$M_redis_s" -v cs="$M_redoubt_s" -v rl="$M_redis_l" -v cl="$M_redoubt_l" 'BEGIN{
  printf "ratio redoubt/redis: SAVE %.2f, start+load %.2f\n", cs/rs, cl/rl}'
