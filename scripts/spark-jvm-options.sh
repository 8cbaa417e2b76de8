# Sourced by the scripts that start Spark in a plain JVM (no spark-submit): sets the array
# spark_opens to the options Spark needs on JDK 17+ (the argument file spark-jvm.args, the one
# list), on JDK 23+ what Arrow's Netty allocator needs, on JDK 17 the incubating FFM module.
# Needs $java and $root.
spark_opens=("@$root/scripts/spark-jvm.args")
if "$java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  spark_opens+=(--sun-misc-unsafe-memory-access=allow)
fi
# JDK 17: the incubating FFM API, through which the engine advises its mapped indexes random
if "$java" --add-modules jdk.incubator.foreign -version >/dev/null 2>&1; then
  spark_opens+=(--add-modules jdk.incubator.foreign)
fi
