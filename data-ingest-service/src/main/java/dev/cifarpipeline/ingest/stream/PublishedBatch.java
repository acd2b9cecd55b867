package dev.cifarpipeline.ingest.stream;

import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;

/**
 * What the broker acknowledged: a batch's identity and size, without its pixels. Acknowledgement callbacks
 * hold only this, so the tens of megabytes in flight are not kept alive (and copied by the GC) until the ack.
 */
public record PublishedBatch(BatchKind kind, int epoch, int batchIndex, int images, int bytes) {
    static PublishedBatch of(AugmentedBatch batch, int bytes) {
        return new PublishedBatch(batch.kind(), batch.epoch(), batch.batchIndex(), batch.size(), bytes);
    }

    /** (kind, epoch, batch index), as {@link AugmentedBatch#id()}. */
    public String id() {
        return kind + "/" + epoch + "/" + batchIndex;
    }
}
