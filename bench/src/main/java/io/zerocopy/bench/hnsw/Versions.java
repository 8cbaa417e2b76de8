package io.zerocopy.bench.hnsw;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The versions of the shaded peers, from {@code versions.properties} (filled in from bench/pom.xml
 * at build time: the shaded jars do not all carry their own {@code pom.properties}).
 */
final class Versions {

  private static final Properties VERSIONS = load();

  private Versions() {}

  static String of(String artifactId) {
    return VERSIONS.getProperty(artifactId, "unknown");
  }

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // leave empty: versions print as "unknown"
    }
    return properties;
  }
}
