package dev.cifarpipeline.events.checkpoint;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reassembles checkpoints from the checkpoints topic and verifies them. Chunks are held until their manifest
 * arrives; the manifest then either yields a {@link VerifiedCheckpoint} or a {@link CheckpointIntegrityException}
 * saying what did not match. Memory is bounded: at most {@code maxPending} checkpoints are held at once (the
 * oldest incomplete one is dropped first) and no checkpoint may exceed {@code maxCheckpointBytes}.
 */
public final class CheckpointAssembler {
    private final int maxPending;
    private final long maxCheckpointBytes;
    private final Map<String, Pending> pending = new LinkedHashMap<>();

    public CheckpointAssembler(int maxPending, long maxCheckpointBytes) {
        if (maxPending <= 0 || maxCheckpointBytes <= 0 || maxCheckpointBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxPending " + maxPending + " and maxCheckpointBytes "
                    + maxCheckpointBytes + " must be positive and fit in an array");
        }
        this.maxPending = maxPending;
        this.maxCheckpointBytes = maxCheckpointBytes;
    }

    /** Accepts one record; returns the checkpoint when a manifest completes and verifies one. */
    public Optional<VerifiedCheckpoint> accept(CheckpointRecord record) {
        if (record instanceof CheckpointChunk chunk) {
            addChunk(chunk);
            return Optional.empty();
        }
        return Optional.of(complete((CheckpointManifest) record));
    }

    public int pendingCheckpoints() {
        return pending.size();
    }

    /** Ids of the checkpoints whose chunks are held, waiting for their manifest. */
    public Set<String> pendingIds() {
        return Set.copyOf(pending.keySet());
    }

    private void addChunk(CheckpointChunk chunk) {
        Pending p = pending.get(chunk.checkpointId());
        if (p == null) {
            if (pending.size() >= maxPending) {
                Iterator<String> oldest = pending.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            p = new Pending(chunk.chunkCount());
            pending.put(chunk.checkpointId(), p);
        }
        if (chunk.chunkCount() != p.chunks.length) {
            pending.remove(chunk.checkpointId());
            throw new CheckpointIntegrityException(
                    "checkpoint " + chunk.checkpointId() + ": chunk " + chunk.chunkIndex() + " says "
                            + chunk.chunkCount() + " chunks, earlier chunks said " + p.chunks.length);
        }
        if (p.chunks[chunk.chunkIndex()] == null) {
            p.bytes += chunk.data().length;
        } else {
            p.bytes += chunk.data().length - p.chunks[chunk.chunkIndex()].length; // a redelivered chunk replaces itself
        }
        if (p.bytes > maxCheckpointBytes) {
            pending.remove(chunk.checkpointId());
            throw new CheckpointIntegrityException("checkpoint " + chunk.checkpointId()
                    + ": chunks exceed the limit of " + maxCheckpointBytes + " bytes");
        }
        p.chunks[chunk.chunkIndex()] = chunk.data();
    }

    private VerifiedCheckpoint complete(CheckpointManifest manifest) {
        Pending p = pending.remove(manifest.checkpointId());
        String id = "checkpoint " + manifest.checkpointId() + " of run " + manifest.runId();
        if (p == null) {
            throw new CheckpointIntegrityException(
                    id + ": manifest arrived but none of its " + manifest.chunkCount() + " chunks did");
        }
        if (p.chunks.length != manifest.chunkCount()) {
            throw new CheckpointIntegrityException(
                    id + ": manifest says " + manifest.chunkCount() + " chunks, chunks say " + p.chunks.length);
        }
        for (int i = 0; i < p.chunks.length; i++) {
            if (p.chunks[i] == null) {
                throw new CheckpointIntegrityException(
                        id + ": chunk " + i + " of " + p.chunks.length + " is missing (incomplete checkpoint)");
            }
        }
        if (p.bytes != manifest.sizeBytes()) {
            throw new CheckpointIntegrityException(
                    id + ": reassembled " + p.bytes + " bytes, manifest says " + manifest.sizeBytes());
        }
        byte[] bytes = new byte[(int) p.bytes];
        MessageDigest digest = Sha256.newDigest();
        int at = 0;
        for (byte[] chunk : p.chunks) {
            System.arraycopy(chunk, 0, bytes, at, chunk.length);
            digest.update(chunk);
            at += chunk.length;
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(manifest.sha256())) {
            throw new CheckpointIntegrityException(
                    id + ": SHA-256 " + actual + " does not match the manifest's " + manifest.sha256());
        }
        return new VerifiedCheckpoint(manifest, bytes);
    }

    private static final class Pending {
        final byte[][] chunks;
        long bytes;

        Pending(int count) {
            chunks = new byte[count][];
        }
    }
}
