package dev.cifarpipeline.ingest;

/**
 * What ingest is doing, for {@code GET /ingest/status} and the readiness check.
 *
 * @param state             STARTING, PUBLISHING_TEST_SET, PUBLISHING, WAITING_FOR_CONSUMERS, WAITING_FOR_BROKER,
 *                          FINISHED, STOPPED or FAILED
 * @param dataset           the dataset folder
 * @param layout            its layout: cifar-10-batches-bin or cifar-10-batches-py
 * @param trainImages       images in the training split
 * @param testImages        images in the test split
 * @param batchesPerEpoch   training batches per epoch
 * @param epochs            epochs the stream has in all
 * @param epoch             epoch being published (-1 before the first)
 * @param leadEpochs        how far the next epoch is ahead of the slowest training run
 * @param resumedAt         where this process started publishing: "epoch E batch B"
 * @param error             why publishing failed, if it did
 */
public record IngestStatus(
        String state,
        String dataset,
        String layout,
        int trainImages,
        int testImages,
        int batchesPerEpoch,
        int epochs,
        int epoch,
        int leadEpochs,
        String resumedAt,
        String error) {}
