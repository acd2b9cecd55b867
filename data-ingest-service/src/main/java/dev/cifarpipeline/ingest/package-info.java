/**
 * The ingest service: its lifecycle ({@link DatasetPublisher}: validate or download, then stream), configuration,
 * status, health and metrics. Sub-packages, each depending only on those listed after it: {@code stream} (the
 * stream on Kafka: test set, epoch markers, batches, resuming where the topic ends, backpressure) and
 * {@code augment} (the seed's augmentation and shuffles, framework-free). {@code bench} holds the benchmark.
 */
package dev.cifarpipeline.ingest;
