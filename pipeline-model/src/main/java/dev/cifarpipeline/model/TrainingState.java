package dev.cifarpipeline.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The bookkeeping a checkpoint carries besides weights and optimizer state, so that a run resumes exactly where
 * the checkpoint was taken.
 *
 * @param schemaVersion version of this record's schema
 * @param runId         the run
 * @param step          optimizer steps taken: the schedule's position
 * @param epochs        per epoch, which batches were trained on
 * @param nextOffsets   per "topic:partition" of the batch stream, the offset to read next
 * @param rngSeed       the engine's random seed for the steps after the checkpoint (dropout masks)
 */
public record TrainingState(
        int schemaVersion,
        String runId,
        long step,
        List<EpochBatches> epochs,
        Map<String, Long> nextOffsets,
        long rngSeed) {
    public static final int SCHEMA_VERSION = 1;

    public TrainingState {
        Objects.requireNonNull(runId, "runId");
        epochs = List.copyOf(epochs);
        nextOffsets = Map.copyOf(nextOffsets);
    }

    /**
     * @param epoch          0-based epoch of the stream
     * @param batchesInEpoch batches the epoch has
     * @param trained        indices of the batches trained on, as a {@link java.util.BitSet#toLongArray()}
     * @param duplicates     redelivered batches skipped so far
     */
    public record EpochBatches(int epoch, int batchesInEpoch, long[] trained, int duplicates) {}
}
