# Sourced by the scripts that start Spark in a plain JVM (no spark-submit): sets the array
# spark_opens to the options Spark needs on JDK 17+ (as Spark's own launcher, JavaModuleOptions;
# the same list as zcs.spark.jvmArgs in spark-connector/pom.xml). Needs $java.
spark_opens=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true
)
# JDK 23+: Arrow's Netty allocator (used by the vec writer) needs sun.misc.Unsafe memory access
if "$java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  spark_opens+=(--sun-misc-unsafe-memory-access=allow)
fi
