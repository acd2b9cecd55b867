package dev.cifarpipeline.events.checkpoint;

import dev.cifarpipeline.events.RunSpec;
import java.util.List;
import java.util.Objects;

/**
 * Describes a checkpoint whose chunks precede it on the checkpoints topic. The receiver loads nothing until
 * the reassembled bytes match {@link #sha256()} and {@link #sizeBytes()}.
 *
 * @param schemaVersion   version of this event's schema (2 added sweep)
 * @param checkpointId    unique id; chunks carry the same id
 * @param runId           the training run
 * @param sweep           the sweep the run belongs to; null for a run of its own
 * @param model           architecture, e.g. {@code vgg11}
 * @param layout          layer layout, {@code seed} or {@code batchnorm}
 * @param format          encoding of the checkpoint bytes, e.g. {@code djl-parameters-v1}
 * @param epoch           epochs completed (1-based count) when the checkpoint was taken
 * @param step            optimizer steps taken
 * @param trainLoss       mean training loss over the last steps before the checkpoint
 * @param sizeBytes       length of the reassembled checkpoint
 * @param chunkCount      number of chunks
 * @param sha256          SHA-256 of the reassembled bytes, lower-case hex
 * @param lineage         per epoch, which batches reached these weights
 * @param createdAtMillis when the checkpoint was taken, Unix epoch milliseconds
 */
public record CheckpointManifest(
        int schemaVersion,
        String checkpointId,
        String runId,
        String sweep,
        String model,
        String layout,
        String format,
        int epoch,
        long step,
        double trainLoss,
        long sizeBytes,
        int chunkCount,
        String sha256,
        List<EpochLineage> lineage,
        long createdAtMillis)
        implements CheckpointRecord {
    public static final int SCHEMA_VERSION = 2;

    public CheckpointManifest {
        Objects.requireNonNull(checkpointId, "checkpointId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(sha256, "sha256");
        lineage = List.copyOf(Objects.requireNonNull(lineage, "lineage"));
        if (sweep != null && !sweep.matches(RunSpec.RUN_ID)) {
            throw new IllegalArgumentException("sweep '" + sweep + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (sizeBytes < 0 || chunkCount <= 0) {
            throw new IllegalArgumentException(
                    "size " + sizeBytes + " bytes in " + chunkCount + " chunks is not a checkpoint");
        }
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 '" + sha256 + "' is not 64 lower-case hex digits");
        }
    }
}
