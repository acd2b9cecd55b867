package dev.cifarpipeline.ingest;

import dev.cifarpipeline.dataset.CifarDataset;

/**
 * What ingest is doing, for {@code GET /ingest/status} and the readiness check.
 *
 * @param state               STARTING, PUBLISHING, FINISHED or FAILED
 * @param dataset             the dataset folder
 * @param trainImages         images in the training split
 * @param testImages          images in the test split
 * @param batchesPerEpoch     training batches per epoch
 * @param epochs              epochs to publish
 * @param epochsPublished     epochs fully acknowledged by the broker
 * @param testSetPublished    whether the whole test set is acknowledged
 * @param error               why publishing failed, if it did
 */
public record IngestStatus(String state, String dataset, int trainImages, int testImages, int batchesPerEpoch,
                           int epochs, int epochsPublished, boolean testSetPublished, String error) {

    static IngestStatus starting() {
        return new IngestStatus("STARTING", null, 0, 0, 0, 0, 0, false, null);
    }

    static IngestStatus validated(CifarDataset dataset, BatchFactory batches, int epochs) {
        return new IngestStatus("PUBLISHING", dataset.source().toString(), dataset.train().size(), dataset.test().size(),
                batches.trainBatchesPerEpoch(), epochs, 0, false, null);
    }

    IngestStatus withTestSetPublished() {
        return new IngestStatus(state, dataset, trainImages, testImages, batchesPerEpoch, epochs, epochsPublished, true, error);
    }

    IngestStatus withEpochsPublished(int done) {
        return new IngestStatus(state, dataset, trainImages, testImages, batchesPerEpoch, epochs, done, testSetPublished, error);
    }

    IngestStatus finished() {
        return new IngestStatus("FINISHED", dataset, trainImages, testImages, batchesPerEpoch, epochs, epochsPublished, testSetPublished, error);
    }

    IngestStatus failed(String why) {
        return new IngestStatus("FAILED", dataset, trainImages, testImages, batchesPerEpoch, epochs, epochsPublished, testSetPublished, why);
    }
}
