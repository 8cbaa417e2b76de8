#!/usr/bin/env bash
# What a JVM or spark-submit user does: after `mvn install`, a spark-submit job (the spark-submit of
# the pyspark package, local[2]) gets the connector only through
#   --packages io.zerocopy:zero-copy-search-spark_2.13:<version>
#   --conf spark.sql.extensions=io.zerocopy.spark.ZeroCopyExtensions
# resolved offline, from the local Maven repository alone (an Ivy settings file with no other
# resolver), and writes, indexes and searches a vec dataset (spark-connector/python/tests/
# packages_job.py). Arguments: the Spark home (the pyspark package) and the Python to run with.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
spark_home=$1
python=$2
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
repository=${MAVEN_REPOSITORY:-$HOME/.m2/repository}
jar=$repository/io/zerocopy/zero-copy-search-spark_2.13/$version/zero-copy-search-spark_2.13-$version.jar
[[ -f $jar ]] || { echo "$jar is missing: run mvn install first" >&2; exit 1; }
ivy=$root/target/packages-ivy
rm -rf "$ivy" "$root/target/packages-dataset" && mkdir -p "$ivy"
cat > "$ivy/ivysettings.xml" <<SETTINGS
<ivysettings>
  <settings defaultResolver="local-maven"/>
  <resolvers>
    <ibiblio name="local-maven" m2compatible="true" root="file://$repository"/>
  </resolvers>
</ivysettings>
SETTINGS
PYSPARK_PYTHON=$python "$spark_home/bin/spark-submit" \
  --master 'local[2]' \
  --packages "io.zerocopy:zero-copy-search-spark_2.13:$version" \
  --conf spark.jars.ivySettings="$ivy/ivysettings.xml" \
  --conf spark.jars.ivy="$ivy" \
  --conf spark.sql.extensions=io.zerocopy.spark.ZeroCopyExtensions \
  --conf spark.ui.enabled=false \
  --conf spark.driver.host=127.0.0.1 \
  --driver-java-options "--add-modules jdk.incubator.vector" \
  spark-connector/python/tests/packages_job.py "$root/target/packages-dataset" \
  2> "$root/target/packages-check.log" || { tail -40 "$root/target/packages-check.log" >&2; exit 1; }
