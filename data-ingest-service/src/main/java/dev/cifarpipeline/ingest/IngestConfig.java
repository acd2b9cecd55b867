package dev.cifarpipeline.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Settings of data-ingest-service, under the {@code ingest.} prefix. */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {
    /** Folder with CIFAR-10 in the official binary layout: cifar-10-batches-bin itself or a folder holding it. */
    Path datasetDir();

    /** How many epochs of augmented training batches to publish. */
    @WithDefault("1")
    int epochs();

    /** Training images per batch (the seed uses 128); at most 256 so a batch stays under Kafka's 1 MB record limit. */
    @WithDefault("128")
    int batchSize();

    /** Test images per batch (the seed uses 100). */
    @WithDefault("100")
    int testBatchSize();

    /** Seed of the stream: with epoch and image index it fixes every shuffle, crop and flip. */
    @WithDefault("0")
    long streamSeed();

    /** Batches sent but not yet acknowledged by the broker, at most. */
    @WithDefault("32")
    int maxInFlight();

    /** Checks the values together; the message names the key that is wrong. */
    default void validate() {
        require(epochs() >= 1, "ingest.epochs must be at least 1, got " + epochs());
        require(batchSize() >= 1 && batchSize() <= 256, "ingest.batch-size must be 1..256, got " + batchSize());
        require(testBatchSize() >= 1 && testBatchSize() <= 256, "ingest.test-batch-size must be 1..256, got " + testBatchSize());
        require(maxInFlight() >= 1, "ingest.max-in-flight must be at least 1, got " + maxInFlight());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
