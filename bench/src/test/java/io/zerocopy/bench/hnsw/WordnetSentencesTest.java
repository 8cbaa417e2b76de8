package io.zerocopy.bench.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class WordnetSentencesTest {

  @Test
  void splitsDefinitionAndQuotedExamples() {
    assertEquals(
        List.of(
            "the destruction of an enemy plane or ship or tank or missile",
            "the pilot reported two kills during the mission"),
        WordnetSentences.split(
            "the destruction of an enemy plane or ship or tank or missile; \"the pilot reported"
                + " two kills during the mission\""));
  }

  @Test
  void keepsSemicolonsInsideQuotesAndJoinsDefinitionParts() {
    assertEquals(
        List.of("cause to be alert; energetic", "Coffee; tea stimulate me", "This doesn't"),
        WordnetSentences.split(
            "cause to be alert; energetic; \"Coffee; tea stimulate me\"; \"This doesn't\""));
  }

  @Test
  void dropsAttributionAfterTheClosingQuote() {
    assertEquals(
        List.of("a saying", "to be or not to be"),
        WordnetSentences.split("a saying; \"to be or not to be\" - Shakespeare"));
  }

  @Test
  void readsTheDebianWordnet() throws Exception {
    Assumptions.assumeTrue(
        Files.isRegularFile(WordnetSentences.DEBIAN_DIR.resolve("data.noun")),
        "wordnet-base is not installed");
    List<String> sentences = WordnetSentences.read(WordnetSentences.DEBIAN_DIR);
    assertTrue(sentences.size() > 150_000, "sentences: " + sentences.size());
    assertTrue(sentences.stream().noneMatch(s -> s.isBlank() || s.startsWith("\"")));
  }
}
