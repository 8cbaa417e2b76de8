# shellcheck shell=bash
# What every bench/run-*.sh script shares: paths, arguments, the build, the data, the machine
# description and where a run's section goes. Sourced after `set -euo pipefail`; sets bench, root,
# java and log.

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
log() { echo "== $*" >&2; }

# bench_args [--name:variable ...] -- "$@": sets quick (0/1) from --quick, prints the script's
# header comment for -h/--help, stores the value of each declared --name into its variable, and
# fails on anything else. Sets command: how to repeat the run, with the ZCS_* and JAVA_HOME
# settings it ran under, for RESULTS.md.
bench_args() {
  local -A takes=()
  while [[ $# -gt 0 && $1 != -- ]]; do
    takes[${1%%:*}]=${1#*:}
    shift
  done
  shift
  local given=("$@")
  quick=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --quick) quick=1 ;;
      -h | --help)
        sed -n '2,/^[^#]/{/^[^#]/d;s/^# \{0,1\}//;p}' "$0"
        exit 0
        ;;
      *)
        if [[ -n ${takes[$1]+set} && $# -ge 2 ]]; then
          printf -v "${takes[$1]}" '%s' "$2"
          shift
        else
          local expected="--quick"
          local name
          for name in "${!takes[@]}"; do expected+=", $name VALUE"; done
          echo "unknown argument '$1' (expected $expected or --help)" >&2
          exit 2
        fi
        ;;
    esac
    shift
  done
  local settings
  settings=$(env | { grep -E '^(ZCS_[A-Z0-9_]*|JAVA_HOME)=' || true; } | sort \
    | sed -E 's/^([^=]*)=(.*)$/\1="\2"/' | tr '\n' ' ')
  command="${settings}bench/$(basename "$0")${given[*]:+ ${given[*]}}"
}

# evict FILE...: drops the files' clean pages from the page cache (posix_fadvise DONTNEED)
evict() {
  python3 - "$@" <<'PY'
import os, sys
for name in sys.argv[1:]:
    fd = os.open(name, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
PY
}

# page_cache_states SETTING STATE...: exits naming SETTING unless every STATE is one page_cache
# takes; scripts call it before their build, so that a typo fails at once
page_cache_states() {
  local setting=$1 state
  shift
  for state in "$@"; do
    case "$state" in
      in-order | random | as-is) ;;
      *)
        echo "$setting: page cache state '$state': expected in-order, random or as-is" >&2
        exit 2
        ;;
    esac
  done
}

# page_cache STATE FILE...: puts the files' pages in the page cache in STATE. in-order: dropped,
# then read once in order, so the kernel reads them ahead in large folios, which a mapping maps in
# 2 MiB pages (one TLB entry each; the state after a cold start and one pass in order). random:
# dropped, then read back 4 KiB at a time in random order without read-ahead: 4 KiB pages (the
# state after a fresh write, or after page faults at random). as-is: untouched. A graph walk over
# the mapped .vec scores a cold vector 5-10% faster in 2 MiB pages (walk kernels, RESULTS.md
# 2026-12-06 18:28), so benchmarks set it.
page_cache() {
  local state=$1
  shift
  page_cache_states "page_cache" "$state"
  [[ $state == as-is ]] && return
  evict "$@"
  python3 - "$state" "$@" <<'PY'
import os, random, sys
state = sys.argv[1]
for name in sys.argv[2:]:
    fd = os.open(name, os.O_RDONLY)
    if state == "in-order":
        while os.read(fd, 1 << 20):
            pass
    else:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
        blocks = list(range((os.fstat(fd).st_size + 4095) // 4096))
        random.Random(1).shuffle(blocks)
        for block in blocks:
            os.pread(fd, 4096, block * 4096)
    os.close(fd)
PY
}

# bench_out NAME: a fresh output directory, bench/target/NAME-<UTC time>, as out (and stamp)
bench_out() {
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  out=$bench/target/$1-$stamp
  mkdir -p "$out"
}

# bench_build MODULES: packages MODULES (comma-separated) and what they need, without tests
bench_build() {
  log "build ($1 and the modules it needs)"
  (cd "$root" && mvn -B -q -DskipTests -Dspotless.apply.skip=true -Dspotless.check.skip=true \
    -pl "$1" -am package)
  jar=$bench/target/benchmarks.jar
}

# bench_spark_classpath: sets spark_cp (bench classes, examples, datasets, connector, Spark) and
# spark_opens (the JVM options Spark needs) for benchmarks that run Spark in a plain JVM
bench_spark_classpath() {
  local connector examples datasets
  connector=$(ls "$root"/spark-connector/target/zero-copy-search-spark_2.13-*.jar | grep -v original- | head -1)
  examples=$(ls "$root"/examples/target/zero-copy-search-examples-*.jar | head -1)
  datasets=$(ls "$root"/datasets/target/zero-copy-search-datasets-*.jar | head -1)
  spark_cp="$bench/target/classes:$examples:$datasets:$connector"
  spark_cp+=":$(cat "$root/spark-connector/target/spark-classpath.txt")"
  # shellcheck source=../scripts/spark-jvm-options.sh
  source "$root/scripts/spark-jvm-options.sh"
}

# bench_fashion_mnist: installs the Debian data package if needed, converts it once into the cache
# (PrepareData) and sources its paths (TRAIN_VEC, TEST_VEC, TRAIN_BYTES, ...)
bench_fashion_mnist() {
  [[ -d /usr/share/datasets/fashion-mnist ]] || "$root/scripts/install-data.sh"
  "$java" -cp "$bench/target/benchmarks.jar" io.zerocopy.bench.PrepareData > "$out/data.env"
  # shellcheck disable=SC1091
  source "$out/data.env"
}

# bench_wordnet: installs WordNet if needed, embeds its noun glosses with MiniLM once into the cache
# (PrepareWordnet, 1,000 held-out queries) and sources their paths (WORDNET_TRAIN_VEC,
# WORDNET_QUERIES_VEC, WORDNET_TRAIN_COUNT, ...)
bench_wordnet() {
  [[ -f /usr/share/wordnet/data.noun ]] || "$root/scripts/install-data.sh"
  "$java" -cp "$jar" io.zerocopy.bench.hnsw.PrepareWordnet --queries 1000 --threads 2 \
    > "$out/wordnet.env" 2> "$out/wordnet-prepare.log"
  # shellcheck disable=SC1091
  source "$out/wordnet.env"
}

# bench_venv: bench/.venv with python/requirements.txt (numpy, hnswlib, faiss, threadpoolctl), as venv
bench_venv() {
  venv=$bench/.venv
  if ! "$venv/bin/python" -c 'import numpy, hnswlib, faiss, threadpoolctl' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$bench/python/requirements.txt"
  fi
}

# bench_machine [key=value ...]: writes out/machine.txt (date, commit, CPU, cores, RAM, java, JDK
# version, the given extras); machine KEY reads one back
bench_machine() {
  {
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (+ local changes)')"
    echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "cores=$(nproc)"
    echo "ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "java=$("$java" -version 2>&1 | sed -n 2p)"
    echo "jdk=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')"
    echo "load_average_at_start=$(cut -d" " -f1-3 /proc/loadavg)"
    local extra
    for extra in "$@"; do echo "$extra"; done
  } > "$out/machine.txt"
}
machine() { sed -n "s/^$1=//p" "$out/machine.txt"; }

# bench_publish SMOKE_FILE: appends out/section.md to bench/RESULTS.md, or for a --quick run to
# bench/target/SMOKE_FILE only (smoke figures are never results), and prints it
bench_publish() {
  if [[ $quick -eq 1 ]]; then
    { echo; cat "$out/section.md"; } >> "$bench/target/$1"
    log "smoke run: NOT appended to bench/RESULTS.md; see $bench/target/$1"
  else
    { echo; cat "$out/section.md"; } >> "$bench/RESULTS.md"
    log "appended to bench/RESULTS.md"
  fi
  cat "$out/section.md"
}
