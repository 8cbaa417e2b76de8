package io.zerocopy.bench.hnsw;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The sentences of WordNet's glosses: for every synset line of {@code data.{noun,verb,adj,adv}},
 * the text after {@code "| "} split at semicolons outside quotes into its definition (the unquoted
 * parts, joined) and its quoted example sentences. Duplicates are dropped, first occurrence kept.
 */
public final class WordnetSentences {

  public static final Path DEBIAN_DIR = Path.of("/usr/share/wordnet");
  static final List<String> PARTS = List.of("noun", "verb", "adj", "adv");

  private WordnetSentences() {}

  /** All distinct definitions and examples, in file order (noun, verb, adj, adv). */
  static List<String> read(Path dir) throws IOException {
    Set<String> sentences = new LinkedHashSet<>();
    for (String part : PARTS) {
      Path file = dir.resolve("data." + part);
      if (!Files.isRegularFile(file)) {
        throw new IOException(
            file
                + ": missing; install the Debian package wordnet-base (apt-get install"
                + " wordnet-base)");
      }
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("  ")) {
            continue; // the licence header
          }
          int bar = line.indexOf(" | ");
          if (bar < 0) {
            continue;
          }
          sentences.addAll(split(line.substring(bar + 3).trim()));
        }
      }
    }
    return new ArrayList<>(sentences);
  }

  /** The definition (if any) first, then the examples without their quotes. */
  static List<String> split(String gloss) {
    List<String> definition = new ArrayList<>();
    List<String> examples = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i <= gloss.length(); i++) {
      char c = i < gloss.length() ? gloss.charAt(i) : ';';
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ';' && (!quoted || i == gloss.length())) {
        String piece = gloss.substring(start, Math.min(i, gloss.length())).trim();
        start = i + 1;
        if (piece.isEmpty()) {
          continue;
        }
        if (piece.startsWith("\"")) {
          int close = piece.lastIndexOf('"');
          String example = (close > 0 ? piece.substring(1, close) : piece.substring(1)).trim();
          if (!example.isEmpty()) {
            examples.add(example);
          }
        } else {
          definition.add(piece);
        }
      }
    }
    List<String> out = new ArrayList<>();
    if (!definition.isEmpty()) {
      out.add(String.join("; ", definition));
    }
    out.addAll(examples);
    return out;
  }
}
