package dev.cifarpipeline.events.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * One slice of a checkpoint's bytes. A VGG11 checkpoint is ~37 MB, far above Kafka's default 1 MB record
 * limit, so it travels as chunks that the receiver reassembles and verifies against the manifest's SHA-256.
 */
public record CheckpointChunk(String checkpointId, int chunkIndex, int chunkCount, byte[] data)
        implements CheckpointRecord {
    public CheckpointChunk {
        Objects.requireNonNull(checkpointId, "checkpointId");
        Objects.requireNonNull(data, "data");
        if (chunkCount <= 0 || chunkIndex < 0 || chunkIndex >= chunkCount) {
            throw new IllegalArgumentException("chunk " + chunkIndex + " of " + chunkCount + " is out of range");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckpointChunk c
                && checkpointId.equals(c.checkpointId)
                && chunkIndex == c.chunkIndex
                && chunkCount == c.chunkCount
                && Arrays.equals(data, c.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(checkpointId, chunkIndex, chunkCount, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "CheckpointChunk[" + checkpointId + " " + chunkIndex + "/" + chunkCount + ", " + data.length + " bytes]";
    }
}
