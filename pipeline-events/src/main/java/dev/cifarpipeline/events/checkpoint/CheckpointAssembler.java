package dev.cifarpipeline.events.checkpoint;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reassembles checkpoints from the checkpoints topic and verifies them. Chunks are held until their manifest
 * arrives; the manifest then either yields a {@link VerifiedCheckpoint} or a {@link CheckpointIntegrityException}
 * saying what did not match. Memory is bounded: at most {@code maxPending} checkpoints are held at once, no
 * checkpoint may exceed {@code maxCheckpointBytes}, and nothing is allocated from a count a record claims: chunks
 * are held as they come, so a chunk claiming two billion siblings costs what it carries.
 *
 * <p>A checkpoint that begins while {@code maxPending} others are held is <em>deferred</em>, not lost: its chunks
 * are not held, but its id is remembered (at most {@link #MAX_DEFERRED} ids), so that when its manifest comes the
 * reader can tell ({@link #deferred}) and fetch its chunks again from where they are stored. The checkpoints held
 * are the ones begun first, most likely to complete first, so by the time a deferred one's manifest comes their
 * memory is usually free again.
 */
public final class CheckpointAssembler {
    private final int maxPending;
    private final long maxCheckpointBytes;
    /**
     * How many deferred checkpoints are remembered; beyond it the oldest is forgotten, and its manifest, should it come
     * after ten thousand others began, would find no chunks (dead-lettered, named).
     */
    public static final int MAX_DEFERRED = 10_000;

    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** Checkpoints deferred (their chunks not held) until their manifest comes, oldest first. */
    private final Set<String> deferred = new LinkedHashSet<>();

    public CheckpointAssembler(int maxPending, long maxCheckpointBytes) {
        if (maxPending <= 0 || maxCheckpointBytes <= 0 || maxCheckpointBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxPending " + maxPending + " and maxCheckpointBytes "
                    + maxCheckpointBytes + " must be positive and fit in an array");
        }
        this.maxPending = maxPending;
        this.maxCheckpointBytes = maxCheckpointBytes;
    }

    /**
     * Accepts one record; returns the checkpoint when a manifest completes and verifies one. The manifest of an
     * {@linkplain #deferred deferred} checkpoint fails as incomplete: ask {@link #deferred} first.
     */
    public Optional<VerifiedCheckpoint> accept(CheckpointRecord record) {
        if (record instanceof CheckpointChunk chunk) {
            if (!deferred.contains(chunk.checkpointId())) {
                addChunk(chunk);
            }
            return Optional.empty();
        }
        deferred.remove(record.checkpointId());
        return Optional.of(complete((CheckpointManifest) record));
    }

    /** Whether {@code checkpointId} was deferred for want of room, its chunks not held, its manifest not yet accepted. */
    public boolean deferred(String checkpointId) {
        return deferred.contains(checkpointId);
    }

    /** The deferred checkpoint's manifest came and it was fetched whole elsewhere: forget it. */
    public void forget(String checkpointId) {
        deferred.remove(checkpointId);
        pending.remove(checkpointId);
    }

    /** Ids of the checkpoints begun and not finished: held, or deferred and waiting for their manifest. */
    public Set<String> unfinishedIds() {
        Set<String> out = new HashSet<>(pending.keySet());
        out.addAll(deferred);
        return out;
    }

    public long maxCheckpointBytes() {
        return maxCheckpointBytes;
    }

    public int pendingCheckpoints() {
        return pending.size();
    }

    private void addChunk(CheckpointChunk chunk) {
        Pending p = pending.get(chunk.checkpointId());
        if (p == null) {
            if (chunk.chunkCount() > Math.max(1, maxCheckpointBytes)) {
                throw new CheckpointIntegrityException(
                        "checkpoint " + chunk.checkpointId() + ": chunk " + chunk.chunkIndex() + " says "
                                + chunk.chunkCount() + " chunks; a checkpoint within the limit of " + maxCheckpointBytes
                                + " bytes has at most " + Math.max(1, maxCheckpointBytes) + " (one byte each)");
            }
            if (pending.size() >= maxPending) {
                deferred.add(chunk.checkpointId());
                if (deferred.size() > MAX_DEFERRED) {
                    Iterator<String> forgotten = deferred.iterator();
                    forgotten.next();
                    forgotten.remove();
                }
                return;
            }
            p = new Pending(chunk.chunkCount());
            pending.put(chunk.checkpointId(), p);
        }
        if (chunk.chunkCount() != p.count) {
            pending.remove(chunk.checkpointId());
            throw new CheckpointIntegrityException("checkpoint " + chunk.checkpointId() + ": chunk "
                    + chunk.chunkIndex() + " says " + chunk.chunkCount() + " chunks, earlier chunks said " + p.count);
        }
        byte[] before = p.chunks.get(chunk.chunkIndex());
        p.bytes += chunk.data().length - (before == null ? 0 : before.length); // a redelivered chunk replaces itself
        if (p.bytes > maxCheckpointBytes) {
            pending.remove(chunk.checkpointId());
            throw new CheckpointIntegrityException("checkpoint " + chunk.checkpointId()
                    + ": chunks exceed the limit of " + maxCheckpointBytes + " bytes");
        }
        p.chunks.put(chunk.chunkIndex(), chunk.data());
    }

    private VerifiedCheckpoint complete(CheckpointManifest manifest) {
        Pending p = pending.remove(manifest.checkpointId());
        String id = "checkpoint " + manifest.checkpointId() + " of run " + manifest.runId();
        if (p == null) {
            throw new CheckpointIntegrityException(
                    id + ": manifest arrived but none of its " + manifest.chunkCount() + " chunks did");
        }
        if (p.count != manifest.chunkCount()) {
            throw new CheckpointIntegrityException(
                    id + ": manifest says " + manifest.chunkCount() + " chunks, chunks say " + p.count);
        }
        if (p.chunks.size() != p.count) {
            int missing = 0;
            while (p.chunks.containsKey(missing)) {
                missing++;
            }
            throw new CheckpointIntegrityException(
                    id + ": chunk " + missing + " of " + p.count + " is missing (incomplete checkpoint)");
        }
        if (p.bytes != manifest.sizeBytes()) {
            throw new CheckpointIntegrityException(
                    id + ": reassembled " + p.bytes + " bytes, manifest says " + manifest.sizeBytes());
        }
        byte[] bytes = new byte[(int) p.bytes];
        MessageDigest digest = Sha256.newDigest();
        int at = 0;
        for (int i = 0; i < p.count; i++) {
            byte[] chunk = p.chunks.get(i);
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
        final int count;
        final Map<Integer, byte[]> chunks = new HashMap<>();
        long bytes;

        Pending(int count) {
            this.count = count;
        }
    }
}
