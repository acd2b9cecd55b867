package dev.cifarpipeline.ingest;

import dev.cifarpipeline.dataset.CifarDownloader;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Settings of data-ingest-service, under the {@code ingest.} prefix. */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {
    /** Folder with CIFAR-10: cifar-10-batches-bin or cifar-10-batches-py, or a folder holding one of them. */
    Path datasetDir();

    /** Epochs of augmented training batches the stream has in all. */
    @WithDefault("1")
    int epochs();

    /** Training images per batch (the seed uses 128); at most 256 so a batch stays well under the 2 MB record limit. */
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

    /** How many epochs ingest may run ahead of the slowest active training run (0: stay in the same epoch). */
    @WithDefault("2")
    int maxEpochsAhead();

    /** How often to look at the runs' progress while waiting for them. */
    @WithDefault("1s")
    Duration lagPollInterval();

    /** Kafka producer compression for batch records: none, lz4, zstd, gzip or snappy (see BENCHMARKS.md). */
    @WithDefault("none")
    String compression();

    /** Fetching the official archive when the dataset folder holds no valid CIFAR-10. */
    Download download();

    /** Settings under {@code ingest.download.}. */
    interface Download {
        /** Download (and verify) the archive into ingest.dataset-dir if no valid dataset is there. */
        @WithDefault("false")
        boolean enabled();

        /** The archive: the official binary one by default. */
        @WithDefault(CifarDownloader.OFFICIAL_BINARY_ADDRESS)
        URI url();

        /** The archive's MD5 (32 hex digits) or SHA-256 (64); the default is the official archive's MD5. */
        @WithDefault(CifarDownloader.OFFICIAL_BINARY_MD5)
        String checksum();
    }

    /** Checks the values together; the message names the key that is wrong. */
    default void validate() {
        require(epochs() >= 1, "ingest.epochs must be at least 1, got " + epochs());
        require(batchSize() >= 1 && batchSize() <= 256, "ingest.batch-size must be 1..256, got " + batchSize());
        require(
                testBatchSize() >= 1 && testBatchSize() <= 256,
                "ingest.test-batch-size must be 1..256, got " + testBatchSize());
        require(maxInFlight() >= 1, "ingest.max-in-flight must be at least 1, got " + maxInFlight());
        require(maxEpochsAhead() >= 0, "ingest.max-epochs-ahead must be 0 or more, got " + maxEpochsAhead());
        require(
                List.of("none", "lz4", "zstd", "gzip", "snappy").contains(compression()),
                "ingest.compression must be none, lz4, zstd, gzip or snappy, got '" + compression() + "'");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
