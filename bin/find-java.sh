#!/usr/bin/env bash
# Sourced by mvnw and bin/redoubt-*: sets JAVA_HOME to a JDK >= 21 without the user's help.
# Order: $REDOUBT_JAVA_HOME, $JAVA_HOME, `java` on PATH, then the newest JDK under /usr/lib/jvm
# and /opt. A JDK qualifies when its `java -version` reports a major version >= 21.
redoubt_java_major() { # $1 = java binary; prints the major version or nothing
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}
redoubt_find_java() {
  local c m best="" bestm=0
  for c in "${REDOUBT_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
    if [ -n "$c" ] && [ -x "$c/bin/java" ]; then
      m=$(redoubt_java_major "$c/bin/java"); if [ "${m:-0}" -ge 21 ] 2>/dev/null; then echo "$c"; return 0; fi
    fi
  done
  if command -v java >/dev/null 2>&1; then
    c=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    m=$(redoubt_java_major "$c/bin/java"); if [ "${m:-0}" -ge 21 ] 2>/dev/null; then echo "$c"; return 0; fi
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/*; do
    [ -x "$c/bin/java" ] || continue
    m=$(redoubt_java_major "$c/bin/java")
    if [ "${m:-0}" -ge 21 ] 2>/dev/null && [ "$m" -gt "$bestm" ]; then best=$c; bestm=$m; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}
if ! JAVA_HOME=$(redoubt_find_java); then
  echo "redoubt: no JDK >= 21 found (looked at \$JAVA_HOME, PATH, /usr/lib/jvm, /opt); install one, e.g. apt-get install openjdk-21-jdk-headless" >&2
  exit 1
fi
export JAVA_HOME
