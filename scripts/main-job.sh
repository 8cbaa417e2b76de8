#!/usr/bin/env bash
# The main job: the engine end to end on real data. Converts Fashion-MNIST into .vec files (once,
# cached under ${ZCS_CACHE_DIR:-~/.cache/zero-copy-search}/fashion-mnist), maps them, runs exact
# searches and prints neighbours, label agreement, timings and the distance kernel.
# Usage: scripts/main-job.sh [--queries 5] [--batch 1000] [--k 10] [--threads N]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [[ ! -d /usr/share/datasets/fashion-mnist ]]; then
  "$root/scripts/install-data.sh"
fi

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# formatting is the build's job, not a run's (and google-java-format 1.28 cannot run on JDK 25)
mvn -B -q -DskipTests -Dspotless.apply.skip=true -Dspotless.check.skip=true -pl examples -am package
classpath="$root/examples/target/classes:$root/engine/target/classes"
exec "$java" --add-modules jdk.incubator.vector -Xmx1g -cp "$classpath" \
  io.zerocopy.examples.EngineDemo "$@"
