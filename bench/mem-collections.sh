#!/usr/bin/env bash
# mem-collections.sh - RSS of the same collection data in real redis-server and in Redoubt,
# side by side in one run (issue: collections memory). Cases, each on fresh servers:
#   hash1m   one hash with 1M fields   (field:I -> value:I)
#   zset1m   one zset with 1M members  (member:I, score I)
#   intset1m one set of 1M integers    (I)
#   hash100k 100k hashes of 10 fields  (h:I: f0..f9 -> vJ)
#   stream1m one stream of 1M entries  (XADD s * field value-I, one command per entry)
# Reports VmRSS delta (loaded - idle) of each server and the ratio redoubt/redis.
# --settle S waits S seconds before the idle and before the loaded reading (default: 1 s idle,
# 3 s loaded). S >= 30 reads both in steady state: bin/redoubt-server's G1 periodic collection
# runs 10-20 s after the last GC and shrinks the heap (returning free regions, young generation
# included, to the OS); a reading taken around that moment may fall on either side of it.
# Usage: bench/mem-collections.sh [--cases "hash1m zset1m"] [--ports 22010,22011] [--settle S]
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CASES="hash1m zset1m intset1m hash100k"; PR=22010; PC=22011; IDLE_WAIT=1; LOADED_WAIT=3; SETTLE=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --cases) CASES=$2; shift 2;; --ports) PR=${2%,*}; PC=${2#*,}; shift 2;;
    --settle) SETTLE=$2; IDLE_WAIT=$2; LOADED_WAIT=$2; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
echo "command: $0 --cases \"$CASES\" --ports $PR,$PC${SETTLE:+ --settle $SETTLE}"
TMP=$(mktemp -d /tmp/memcoll.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
gen() { # case -> RESP on stdout
  python3 - "$1" <<'PY'
import sys
c = sys.argv[1]; out = sys.stdout.buffer
def cmd(*a):
    out.write(b"*%d\r\n" % len(a))
    for x in a:
        x = x if isinstance(x, bytes) else str(x).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(x), x))
B = 1000
if c == "hash1m":
    for s in range(0, 1000000, B):
        a = []
        for i in range(s, s + B): a += [b"field:%d" % i, b"value:%d" % i]
        cmd(b"HSET", b"big", *a)
elif c == "zset1m":
    for s in range(0, 1000000, B):
        a = []
        for i in range(s, s + B): a += [str(i).encode(), b"member:%d" % i]
        cmd(b"ZADD", b"big", *a)
elif c == "intset1m":
    for s in range(0, 1000000, B):
        cmd(b"SADD", b"big", *[str(i).encode() for i in range(s, s + B)])
elif c == "hash100k":
    for i in range(100000):
        a = []
        for j in range(10): a += [b"f%d" % j, b"v%d" % (i * 10 + j)]
        cmd(b"HSET", b"h:%d" % i, *a)
elif c == "stream1m":
    for i in range(1000000):
        cmd(b"XADD", b"s", b"*", b"field", b"value-%d" % i)
PY
}
rss() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
start() { # name port -> pid
  if [[ $1 == redis ]]; then
    redis-server --port "$2" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/$1.log" 2>&1 &
  else
    "$ROOT/bin/redoubt-server" --port "$2" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/$1.log" 2>&1 &
  fi
  local p=$!; PIDS+=("$p")
  for _ in $(seq 1 100); do redis-cli -p "$2" ping >/dev/null 2>&1 && break; sleep 0.2; done
  echo "$p"
}
printf "%-10s %14s %14s %8s\n" case redis_delta_KB redoubt_delta_KB ratio
for c in $CASES; do
  gen "$c" > "$TMP/$c.resp"
  declare -A D
  for s in redis redoubt; do
    port=$PR; [[ $s == redoubt ]] && port=$PC
    pid=$(start $s $port); PIDS=("$pid")  # start runs in a subshell: record the PID here for cleanup
    sleep "$IDLE_WAIT"; a=$(rss "$pid")
    timeout 300 redis-cli -p "$port" --pipe < "$TMP/$c.resp" >/dev/null
    sleep "$LOADED_WAIT"; b=$(rss "$pid")
    D[$s]=$((b - a))
    kill "$pid"; wait "$pid" 2>/dev/null; PIDS=()
  done
  awk -v c="$c" -v r="${D[redis]}" -v d="${D[redoubt]}" 'BEGIN{printf "%-10s %14d %14d %8.2f\n", c, r, d, (r>0? d/r : 0)}'
done
