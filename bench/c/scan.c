/*
 * The read bandwidth of a .vec file as a C loop sees it: the ceiling exact search is held to
 * (issue 28 step 5). Maps the file read-only, splits its vectors into one contiguous range per
 * thread (as BruteForce does) and sums every float with the widest SIMD the compiler targets
 * (-O3 -march=native); prints one line of key=value pairs: the best of --repeats passes.
 *
 *   cc -O3 -march=native -pthread -o scan scan.c
 *   scan FILE.vec THREADS REPEATS
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEADER 32
#define MAGIC 0x56454354u

struct range {
  const float *first;
  size_t floats;
  float sum;
};

static void *sum_range(void *arg) {
  struct range *r = arg;
  /* sixteen independent sums: vectorised without reassociating (no -ffast-math needed) */
  float s[16] = {0};
  size_t i = 0;
  for (; i + 16 <= r->floats; i += 16) {
    for (int j = 0; j < 16; j++) {
      s[j] += r->first[i + j];
    }
  }
  float total = 0;
  for (int j = 0; j < 16; j++) {
    total += s[j];
  }
  for (; i < r->floats; i++) {
    total += r->first[i];
  }
  r->sum = total;
  return NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s FILE.vec THREADS REPEATS\n", argv[0]);
    return 2;
  }
  const char *path = argv[1];
  int threads = atoi(argv[2]);
  int repeats = atoi(argv[3]);
  if (threads < 1 || threads > 256 || repeats < 1) {
    fprintf(stderr, "%s: THREADS must be 1..256 and REPEATS >= 1, got %s and %s\n", path, argv[2],
            argv[3]);
    return 2;
  }
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
    return 1;
  }
  if (st.st_size < HEADER) {
    fprintf(stderr, "%s: invalid file size: expected at least 32 bytes, found %lld\n", path,
            (long long)st.st_size);
    return 1;
  }
  const uint8_t *base = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    fprintf(stderr, "%s: cannot map: %s\n", path, strerror(errno));
    return 1;
  }
  uint32_t magic, dimension;
  uint64_t count;
  memcpy(&magic, base, 4);
  memcpy(&count, base + 8, 8);
  memcpy(&dimension, base + 16, 4);
  if (magic != MAGIC || dimension == 0 ||
      (uint64_t)st.st_size != HEADER + count * dimension * 4ull) {
    fprintf(stderr, "%s: not a .vec file this loop reads (magic 0x%08X, %llu x %u, %lld bytes)\n",
            path, magic, (unsigned long long)count, dimension, (long long)st.st_size);
    return 1;
  }
  const float *floats = (const float *)(base + HEADER);
  pthread_t ids[256];
  struct range ranges[256];
  double best = 1e30;
  float checksum = 0;
  for (int rep = 0; rep < repeats; rep++) {
    double start = now();
    for (int t = 0; t < threads; t++) {
      uint64_t from = count * t / threads, to = count * (t + 1) / threads;
      ranges[t].first = floats + from * dimension;
      ranges[t].floats = (to - from) * dimension;
      pthread_create(&ids[t], NULL, sum_range, &ranges[t]);
    }
    checksum = 0;
    for (int t = 0; t < threads; t++) {
      pthread_join(ids[t], NULL);
      checksum += ranges[t].sum;
    }
    double seconds = now() - start;
    if (seconds < best) {
      best = seconds;
    }
  }
  double bytes = (double)count * dimension * 4;
  printf("threads=%d bytes=%.0f best_seconds=%.6f gb_per_second=%.3f checksum=%g\n", threads,
         bytes, best, bytes / best / 1e9, checksum);
  return 0;
}
