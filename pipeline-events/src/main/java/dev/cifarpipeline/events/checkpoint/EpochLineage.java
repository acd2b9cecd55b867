package dev.cifarpipeline.events.checkpoint;

/**
 * Which batches of one epoch reached a checkpoint's weights: the proof that training saw each batch of the
 * epoch exactly once.
 *
 * @param epoch            0-based epoch of the stream
 * @param batchesInEpoch   how many batches the epoch has
 * @param batchesTrained   distinct batches of the epoch that were trained on
 * @param duplicateBatches batches that arrived again after being trained on (and were skipped)
 */
public record EpochLineage(int epoch, int batchesInEpoch, int batchesTrained, int duplicateBatches) {
    public boolean complete() {
        return batchesTrained == batchesInEpoch;
    }
}
