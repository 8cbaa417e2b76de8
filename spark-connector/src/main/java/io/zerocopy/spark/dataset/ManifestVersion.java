package io.zerocopy.spark.dataset;

/**
 * One committed version of a dataset's manifest: {@code _manifests/<version, 20 digits>.json}, a
 * file created only if absent and never replaced. Version 0 is the {@code _manifest.json} of a
 * dataset written before versions existed.
 */
public record ManifestVersion(long version, VecManifest manifest) {}
