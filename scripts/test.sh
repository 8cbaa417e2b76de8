#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs the test data (Debian packages)
# and a pinned Python environment, then the Maven build with all tests on JDK 17 (the engine
# suite twice: Vector API kernel and scalar kernel), then again on JDK 25 when it is present.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-data.sh
scripts/python-env.sh

echo "== the main job's flags: --help without building, an unknown flag refused"
scripts/spark-job.sh --help | grep -q -- "--ef-construction"
if scripts/spark-job.sh --colour red 2>/dev/null; then
  echo "scripts/spark-job.sh accepted an unknown flag" >&2
  exit 1
fi
python="$root/.venv/bin/python"
# a Spark distribution for the connector's local-cluster test: the pyspark package (bin/, jars/)
spark_home=$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')

# a seeded build's graph digest per kernel, recorded by the JDK 17 run, checked by the JDK 25 run
digests=$root/target/graph-digests.txt
rm -f "$digests"

echo "== JDK 17: build and test everything (and install the jars in the local Maven repository)"
mvn -B -ntp install -Dzcs.python="$python" -Dzcs.spark.home="$spark_home" \
  -Dzcs.graph.digests="$digests"

echo "== JVM users: spark-submit --packages io.zerocopy:zero-copy-search-spark_2.13, offline"
scripts/packages-check.sh "$spark_home" "$python"

echo "== production jars hold production code: no demo, benchmark or data-loader class"
for jar in engine/target/zero-copy-search-engine-*.jar spark-connector/target/zero-copy-search-spark_2.13-*.jar; do
  stray=$(jar tf "$jar" | grep -E '^io/zerocopy/(datasets|examples|bench)/|(FashionMnist|Fvecs|Ivecs|Demo|Job)[^/]*\.class$' || true)
  if [ -n "$stray" ]; then
    echo "$jar holds classes that belong in datasets/, examples/ or bench/:" >&2
    echo "$stray" >&2
    exit 1
  fi
done

# the package's tests, the examples (examples/*.py), the notebooks (notebooks/*.ipynb, on small
# data) and Spark Connect; under CI=true a skipped test fails (conftest.py)
echo "== Python: the zero_copy_search package, installed from spark-connector/python"
"$python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps spark-connector/python
"$python" -m pytest -q spark-connector/python/tests

echo "== Python: the wheel (scripts/build-wheel.sh) into a fresh virtual environment, Maven off PATH"
scripts/build-wheel.sh --no-build # the jar the JDK 17 build above put in the package
wheel=$(ls dist/zero_copy_search-*.whl)
fresh=$root/target/fresh-venv
no_maven=$root/target/no-maven
rm -rf "$fresh" "$root/target/fresh-run" "$no_maven" && mkdir -p "$root/target/fresh-run" "$no_maven"
# a mvn that fails loudly, ahead of the real one: nothing below may need Maven
printf '#!/bin/sh\necho "mvn was called, but an installed wheel must not need Maven" >&2\nexit 127\n' \
  > "$no_maven/mvn" && chmod +x "$no_maven/mvn"
(
  export PATH="$no_maven:$PATH"
  python3 -m venv "$fresh"
  start=$(date +%s)
  "$fresh/bin/python" -m pip install -q --disable-pip-version-check "$wheel[spark]" \
    $(grep -E '^(onnxruntime|tokenizers)==' requirements-test.txt)
  echo "installed $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB) with pyspark in $(($(date +%s) - start)) s"
  cd "$root/target/fresh-run"
  "$fresh/bin/python" "$root/examples/basic_usage.py" | tail -3
  "$fresh/bin/python" "$root/examples/sentence_transformers_example.py" | tail -3
  "$fresh/bin/python" "$root/spark-connector/python/tests/fresh_install_check.py"
)

jdk25=${ZCS_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ -x "$jdk25/bin/java" ]; then
  echo "== JDK 25: build and test everything"
  JAVA_HOME="$jdk25" mvn -B -ntp verify -Dzcs.python="$python" -Dzcs.spark.home="$spark_home" \
    -Dzcs.graph.digests="$digests"
  echo "seeded builds, same graph on JDK 17 and 25: $(wc -l < "$digests") digests (metric x kernel) checked"
else
  echo "!! JDK 25 not found at $jdk25 (set ZCS_JDK25): the JDK 25 run was NOT done" >&2
  if [ -n "${CI:-}" ]; then exit 1; fi
fi
echo "== all tests passed"
