#!/usr/bin/env bash
# The Spark main job on embedded local Spark (local[*], no cluster, no Spark distribution needed):
# Fashion-MNIST train (60,000 x 784) as a DataFrame -> a `vec` dataset with one HNSW index per
# shard built in the write job -> k-NN search of the 10,000 test images against every shard's
# index, merged per query -> a table with labels, recall@10 against exact search on a sample, and
# timings. The dataset goes to ~/.cache/zero-copy-search/spark/fashion-mnist (--output DIR).
# Usage: scripts/spark-job.sh [--shards 4] [--k 10] [--m 16] [--ef-construction 200] [--ef max(k,50)]
#                             [--queries 10000] [--sample 200] [--show 5] [--train 60000] [--output DIR]
#        scripts/spark-job.sh --help
# Its table shows, per test image, the labels of its k nearest training images and d1, the L2
# distance to the nearest one. Low recall on data without structure: raise --ef (e.g. --ef 200).
# Environment: JAVA_HOME (JDK 17+), ZCS_JOB_HEAP (driver heap, default 3g).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# the flags are checked here, before anything is built or installed
flags="--shards --k --m --ef-construction --ef --queries --sample --show --train --output"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    -h | --help)
      sed -n '2,/^[^#]/{/^[^#]/d;s/^# \{0,1\}//;p}' "$0"
      exit 0
      ;;
    --*)
      if [[ " $flags " != *" ${args[i]} "* ]]; then
        echo "unknown flag ${args[i]}: expected ${flags// /, } (each with a value), or --help" >&2
        exit 2
      fi
      if ((i + 1 >= ${#args[@]})); then
        echo "flag ${args[i]} needs a value" >&2
        exit 2
      fi
      i=$((i + 1))
      ;;
    *)
      echo "unexpected argument '${args[i]}': flags are ${flags// /, }, or --help" >&2
      exit 2
      ;;
  esac
done

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
# the driver binds to loopback: Spark need not look for (and warn about) another address
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
exec "$java" --add-modules jdk.incubator.vector "${spark_opens[@]}" -Xmx"${ZCS_JOB_HEAP:-3g}" \
  -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 \
  -cp "$classpath" io.zerocopy.examples.spark.FashionMnistJob "$@"
