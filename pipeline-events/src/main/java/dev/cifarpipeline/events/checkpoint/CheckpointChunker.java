package dev.cifarpipeline.events.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits a checkpoint's bytes into the records that carry it: its chunks in order, then its manifest. */
public final class CheckpointChunker {
    private CheckpointChunker() {}

    /** Number of chunks {@code sizeBytes} needs; an empty checkpoint still has one (empty) chunk. */
    public static int chunkCount(long sizeBytes, int chunkBytes) {
        return (int) Math.max(1, (sizeBytes + chunkBytes - 1) / chunkBytes);
    }

    public static List<CheckpointChunk> split(String checkpointId, byte[] checkpoint, int chunkBytes) {
        if (chunkBytes <= 0 || chunkBytes > CheckpointRecordCodec.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException(
                    "chunk size " + chunkBytes + " is outside 1.." + CheckpointRecordCodec.MAX_CHUNK_BYTES);
        }
        int count = chunkCount(checkpoint.length, chunkBytes);
        List<CheckpointChunk> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            chunks.add(new CheckpointChunk(
                    checkpointId,
                    i,
                    count,
                    Arrays.copyOfRange(checkpoint, from, Math.min(checkpoint.length, from + chunkBytes))));
        }
        return chunks;
    }

    /**
     * The encoded records that publish a checkpoint, in publishing order: its chunks, then its manifest, which
     * comes last so that a reader holding the manifest holds every chunk before it.
     */
    public static List<byte[]> records(CheckpointManifest manifest, byte[] checkpoint, int chunkBytes) {
        List<byte[]> out = new ArrayList<>();
        for (CheckpointChunk chunk : split(manifest.checkpointId(), checkpoint, chunkBytes)) {
            out.add(CheckpointRecordCodec.encode(chunk));
        }
        out.add(CheckpointRecordCodec.encode(manifest));
        return out;
    }
}
