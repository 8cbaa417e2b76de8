/**
 * k-means on the SIMD kernels: {@link io.zerocopy.engine.cluster.KMeans} trains centres (routing
 * centroids of a clustered dataset) and {@link io.zerocopy.engine.cluster.Centroids} assigns stored
 * vectors to them and routes queries to their nearest ones.
 */
package io.zerocopy.engine.cluster;
