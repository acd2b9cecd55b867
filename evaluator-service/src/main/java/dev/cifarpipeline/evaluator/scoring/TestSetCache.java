package dev.cifarpipeline.evaluator.scoring;

import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Collects the test set from its topic. Batches are keyed by index, so a test set published twice (ingest
 * restarted) is still one test set; it is complete when every index of {@code 0..batchesInEpoch-1} arrived.
 * Scoring waits on {@link #await(Duration)} until then.
 *
 * <p>A record cannot clear or replace what is being collected: batches are gathered per candidate set (stream seed
 * and batch count), the first candidate to complete is the test set for this evaluator's life, and a batch of any
 * other set is refused, naming it. While none is complete at most {@value #MAX_CANDIDATES} candidates and
 * {@value #MAX_IMAGES_HELD} images are held, so forged batches cost bounded memory.
 */
public final class TestSetCache {
    public static final int MAX_CANDIDATES = 3;
    /** Six CIFAR-10 test sets: room for the real one beside forged candidates. */
    public static final int MAX_IMAGES_HELD = 60_000;

    private record SetId(long streamSeed, int batchesInEpoch) {}

    private final Map<SetId, TreeMap<Integer, AugmentedBatch>> candidates = new LinkedHashMap<>();
    private int imagesHeld;
    private SetId chosen;
    private TestSet complete;

    public synchronized void accept(AugmentedBatch batch) {
        if (batch.kind() != BatchKind.TEST) {
            throw new IllegalArgumentException("batch " + batch.id() + " is not a test-set batch");
        }
        SetId id = new SetId(batch.streamSeed(), batch.batchesInEpoch());
        if (chosen != null) {
            if (!chosen.equals(id)) {
                throw new IllegalArgumentException(
                        "batch " + batch.id() + " of stream " + id.streamSeed() + " says the "
                                + "test set has " + id.batchesInEpoch() + " batches; the test set in use (stream "
                                + chosen.streamSeed() + ") has " + chosen.batchesInEpoch());
            }
            return; // a batch of the complete set, published again
        }
        TreeMap<Integer, AugmentedBatch> set = candidates.get(id);
        if (set == null) {
            if (candidates.size() >= MAX_CANDIDATES) {
                throw new IllegalArgumentException("batch " + batch.id() + " starts a test set of stream "
                        + id.streamSeed() + " with " + id.batchesInEpoch() + " batches while " + MAX_CANDIDATES
                        + " others are incomplete: " + progress());
            }
            set = new TreeMap<>();
            candidates.put(id, set);
        }
        if (!set.containsKey(batch.batchIndex())) {
            if (imagesHeld + batch.size() > MAX_IMAGES_HELD) {
                throw new IllegalArgumentException("batch " + batch.id() + " would make the incomplete test sets hold "
                        + "more than " + MAX_IMAGES_HELD + " images: " + progress());
            }
            imagesHeld += batch.size();
        }
        set.put(batch.batchIndex(), batch);
        if (set.size() == id.batchesInEpoch()) {
            chosen = id;
            complete = assemble(set);
            candidates.clear();
            imagesHeld = 0;
            notifyAll();
        }
    }

    public synchronized Optional<TestSet> current() {
        return Optional.ofNullable(complete);
    }

    /** Progress, for logs and status: batches held and expected, of the test set or of each candidate. */
    public synchronized String progress() {
        if (chosen != null) {
            return chosen.batchesInEpoch() + "/" + chosen.batchesInEpoch() + " batches";
        }
        if (candidates.isEmpty()) {
            return "0/? batches";
        }
        StringBuilder out = new StringBuilder();
        candidates.forEach((id, set) -> out.append(out.isEmpty() ? "" : "; ")
                .append(set.size())
                .append('/')
                .append(id.batchesInEpoch())
                .append(" batches")
                .append(candidates.size() > 1 ? " of stream " + id.streamSeed() : ""));
        return out.toString();
    }

    public synchronized TestSet await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (complete == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(
                        "the test set is incomplete after " + timeout.toSeconds() + " s: " + progress());
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return complete;
    }

    private static TestSet assemble(TreeMap<Integer, AugmentedBatch> batches) {
        int images = batches.values().stream().mapToInt(AugmentedBatch::size).sum();
        byte[] labels = new byte[images];
        byte[] pixels = new byte[images * ImageGeometry.BYTES_PER_IMAGE];
        int at = 0;
        for (AugmentedBatch b : batches.values()) {
            System.arraycopy(b.labels(), 0, labels, at, b.size());
            System.arraycopy(b.pixels(), 0, pixels, at * ImageGeometry.BYTES_PER_IMAGE, b.pixels().length);
            at += b.size();
        }
        return new TestSet(labels, pixels);
    }
}
