#!/usr/bin/env bash
# Skiff's benchmark suite (`make bench`): builds what it needs, then runs bench/suite.py, which
# writes bench/results/<date>-<host>.{md,csv} and bench/results/latest.md. Never part of make test.
#
#   bash bench/run.sh                     the whole suite (~10-15 min on 2 cores)
#   BENCH_QUICK=1 bash bench/run.sh       same steps, short durations (a smoke run, noisy numbers)
#   BENCH_ONLY=iris,cnn bash bench/run.sh only some steps: iris, cnn, batching, router
#   BENCH_BASELINE=<commit> BENCH_ONLY=compare bash bench/run.sh
#                                         benchmark 8 only: this tree's jar against one built from
#                                         <commit> (a git worktree under bench/work), in one run;
#                                         needs neither the venv nor the generated models
#   SKIFF_JAR=/path/skiff-runtime.jar     benchmark that jar instead of building runtime/
#     (SKIFF_COMMIT=<sha> names its commit in the results, default this checkout's HEAD;
#      SKIFF_SOURCE=<dir> is the tree it was built from, whose example and test models are served)
#
# Needs python3 (3.11), PyPI (the MLServer virtualenv, built once into
# ${SKIFF_CACHE:-$HOME/.cache/skiff}/venv-bench and rebuilt when requirements.txt changes),
# Maven Central (the runtime jar, the JMH jar) and taskset (util-linux) for the pinned runs.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench/.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-$(hack/java-home.sh)}"
java="$JAVA_HOME/bin/java"
python="${PYTHON:-python3}"
cache="${SKIFF_CACHE:-$HOME/.cache/skiff}"
venv="$cache/venv-bench"
work="$bench/work"
mkdir -p "$work"

# The runtime jar, rebuilt when a runtime source is newer (as the Makefile's rule does);
# SKIFF_JAR=path benchmarks a jar built elsewhere instead (e.g. from another commit).
jar="${SKIFF_JAR:-runtime/target/skiff-runtime.jar}"
if [[ -z ${SKIFF_JAR:-} ]] && [[ ! -f $jar || -n "$(find runtime/src/main pom.xml runtime/pom.xml -newer "$jar" -type f -print -quit)" ]]; then
  echo "bench: building $jar"
  ./mvnw -B -ntp -q package -DskipTests -pl runtime -am
  touch "$jar"
fi

# The JMH jar (in-process floor).
jmh="bench/jmh/target/benchmarks.jar"
if [[ ! -f $jmh || -n "$(find bench/jmh/pom.xml bench/jmh/src -newer "$jmh" -type f -print -quit)" ]]; then
  echo "bench: building $jmh"
  ./mvnw -B -ntp -q -f bench/jmh/pom.xml package
fi

# The load generator and the do-nothing floor server, compiled once (`java bench/loadgen/LoadGen.java ...` also works, but the
# source launcher compiles it again on every start).
mkdir -p "$work/loadgen"
"$JAVA_HOME/bin/javac" -d "$work/loadgen" bench/loadgen/LoadGen.java bench/loadgen/FloorServer.java

# Benchmark 8's baseline: the runtime jar of another commit, built once per commit in its own
# worktree (the models it serves are this tree's; benchmark 8 serves only iris).
if [[ -n ${BENCH_BASELINE:-} ]]; then
  sha="$(git rev-parse --short "${BENCH_BASELINE}^{commit}")"
  tree="$work/baseline-$sha"
  if [[ ! -f $tree/runtime/target/skiff-runtime.jar ]]; then
    echo "bench: building the baseline jar of $sha"
    git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
    git worktree add --detach --force "$tree" "$sha" >/dev/null
    (cd "$tree" && ./mvnw -B -ntp -q package -DskipTests -pl runtime -am)
  fi
  export BENCH_BASELINE_JAR="$tree/runtime/target/skiff-runtime.jar" BENCH_BASELINE_COMMIT="$sha"
fi
export JAVA="$java" SKIFF_JAR="$(realpath "$jar")" BENCH_WORK="$work"
export PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1
if [[ ${BENCH_ONLY:-} == compare ]]; then
  exec "$python" bench/suite.py
fi

# The Python side: MLServer, scikit-learn, onnx.
want="$( { cat "$bench/requirements.txt"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.skiff-stamp" 2>/dev/null)" != "$want" ]]; then
  echo "bench: creating $venv"
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$bench/requirements.txt"
  echo "$want" > "$venv/.skiff-stamp"
fi

# The ResNet-50-shaped CNN (~100 MB, generated, never committed) and its request bodies.
"$venv/bin/python" bench/models/make_cnn.py "$work/models"
# The batching benchmark's MLPs (24 MB in all, generated the same way).
"$venv/bin/python" bench/models/make_mlp.py "$work/models"

# The runtime's AOT cache for that jar (JDK 25+), made as `make run` makes it; rebuilt when the
# jar or the training script is newer.
aot="$work/skiff-runtime.aot"
if [[ ! -f $aot || $jar -nt $aot || hack/aot-cache.sh -nt $aot || runtime/jvm.options -nt $aot ]]; then
  bash hack/aot-cache.sh "$(realpath "$jar")" "$aot"
fi
[[ -f $aot ]] && export SKIFF_AOT="$aot"

exec "$venv/bin/python" bench/suite.py
