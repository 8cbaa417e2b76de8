#!/usr/bin/env bash
# The Spark main job on embedded local Spark (local[*], no cluster, no Spark distribution needed):
# Fashion-MNIST train (60,000 x 784) as a DataFrame -> a `vec` dataset with one HNSW index per
# shard built in the write job -> k-NN search of the 10,000 test images against every shard's
# index, merged per query -> a table with labels, recall@10 against exact search on a sample, and
# timings. The dataset goes to ~/.cache/zero-copy-search/spark/fashion-mnist (--output DIR).
# Usage: scripts/spark-job.sh [--shards 4] [--k 10] [--m 16] [--ef-construction 200] [--ef max(k,50)]
#                             [--queries 10000] [--sample 200] [--show 5] [--output DIR]
# Environment: JAVA_HOME (JDK 17+), ZCS_JOB_HEAP (driver heap, default 3g).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [[ ! -d /usr/share/datasets/fashion-mnist ]]; then
  "$root/scripts/install-data.sh"
fi

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# builds the examples jar (the job), the jars it needs (connector, datasets, engine) and
# examples/target/classpath.txt: those jars and Spark's, from Maven
mvn -B -q -DskipTests -Dspotless.apply.skip=true -Dspotless.check.skip=true -pl examples -am package
jar=$(ls "$root"/examples/target/zero-copy-search-examples-*.jar | head -1)
classpath="$jar:$(cat "$root/examples/target/classpath.txt")"

# the --add-opens Spark needs on JDK 17+, and what JDK 23+ needs for Arrow
# shellcheck source=spark-jvm-options.sh
source "$root/scripts/spark-jvm-options.sh"
exec "$java" --add-modules jdk.incubator.vector "${spark_opens[@]}" -Xmx"${ZCS_JOB_HEAP:-3g}" \
  -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 \
  -cp "$classpath" io.zerocopy.examples.spark.FashionMnistJob "$@"
