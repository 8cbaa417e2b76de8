/**
 * The {@code vec} data source: a Spark dataset of vectors stored as memory-mappable {@code .vec}
 * shards.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * df.write().format("vec")
 *     .option("vectorColumn", "embedding")   // array<float>, array<double> or an ML Vector
 *     .option("idColumn", "id")              // long, int or string; unique
 *     .option("metric", "cosine")            // l2 (default), cosine, dot
 *     .mode("overwrite")                     // errorifexists (default), ignore, append, overwrite
 *     .save("/data/embeddings");
 * spark.read().format("vec").load("/data/embeddings");   // id, vector array<float>, carried columns
 * spark.sql("CREATE TEMPORARY VIEW emb USING vec OPTIONS (path '/data/embeddings')");
 * }</pre>
 *
 * Write options: {@link io.zerocopy.spark.source.write.VecWriteOptions}; read options: {@link
 * io.zerocopy.spark.source.read.VecReadOptions}.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * _manifest.json                          the commit: what readers may read (see VecManifest)
 * part-NNNNN-&lt;writeId&gt;-&lt;taskAttempt&gt;.vec        the seed's .vec format, one per task
 * part-NNNNN-&lt;writeId&gt;-&lt;taskAttempt&gt;.ids.arrow  Arrow IPC file: id + carried columns, row i ↔ vector i
 * part-NNNNN-&lt;writeId&gt;-&lt;taskAttempt&gt;.hnsw       with index=hnsw: the shard's HNSW graph
 * </pre>
 *
 * A shard's {@code .hnsw} file is listed in its manifest entry ({@code "index"}: file, bytes,
 * CRC32C; null when the shard has no index); {@code VecDatasets.buildIndex} names its files {@code
 * <shard>-<buildId>-<taskAttempt>.hnsw}. See {@code spark-connector/README.md}.
 *
 * <h2>Commit protocol</h2>
 *
 * Tasks write files named after the write and their attempt, to temporary names renamed at task
 * commit; aborted attempts delete theirs. The driver checks dimensions and duplicate ids, then
 * replaces {@code _manifest.json} atomically (temporary file, fsync, rename) and only then deletes
 * files no manifest references (failed attempts, the shards an overwrite replaced). A reader sees
 * the old manifest or the new one.
 */
package io.zerocopy.spark.source;
