#!/usr/bin/env bash
# Builds dist/zero_copy_search-<version>-py3-none-any.whl: the Python package zero_copy_search with
# the connector jar (engine inside). Building needs JDK 17+ and Maven, once; the wheel then
# installs with pip alone (`pip install dist/zero_copy_search-*.whl`, or `…whl[spark]` to bring
# pyspark 4.2.0 too) on any machine with Java 17+.
#
#   scripts/build-wheel.sh              builds the connector jar, then the wheel
#   scripts/build-wheel.sh --no-build   uses the jar an earlier `mvn package` left in the package
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") mvn -B -q -ntp -DskipTests -Dspotless.check.skip=true -pl spark-connector -am package ;;
  --no-build) ;;
  -h | --help) sed -n '2,/^[^#]/{/^[^#]/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) echo "unknown argument '$1' (expected --no-build or --help)" >&2; exit 2 ;;
esac
jars=(spark-connector/python/zero_copy_search/jars/zero-copy-search-spark_2.13-*.jar)
if [[ ! -f ${jars[0]} ]]; then
  echo "no connector jar in spark-connector/python/zero_copy_search/jars: run without --no-build" >&2
  exit 1
fi
python=python3
[[ -x .venv/bin/python ]] && python=.venv/bin/python
rm -rf spark-connector/python/build dist/zero_copy_search-*.whl
"$python" -m pip wheel -q --disable-pip-version-check --no-deps -w dist spark-connector/python
ls dist/zero_copy_search-*.whl
