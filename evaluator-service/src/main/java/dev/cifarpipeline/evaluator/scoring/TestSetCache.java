package dev.cifarpipeline.evaluator.scoring;

import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import java.time.Duration;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Collects the test set from its topic. Batches are keyed by index, so a test set published twice (ingest
 * restarted) is still one test set; it is complete when every index of {@code 0..batchesInEpoch-1} arrived.
 * Scoring waits on {@link #await(Duration)} until then.
 */
public final class TestSetCache {
    private final TreeMap<Integer, AugmentedBatch> batches = new TreeMap<>();
    private int expected = -1;
    private TestSet complete;

    public synchronized void accept(AugmentedBatch batch) {
        if (batch.kind() != BatchKind.TEST) {
            throw new IllegalArgumentException("batch " + batch.id() + " is not a test-set batch");
        }
        if (expected != -1 && expected != batch.batchesInEpoch()) {
            // A different test set (another dataset) replaces the old one rather than mixing with it.
            batches.clear();
            complete = null;
        }
        expected = batch.batchesInEpoch();
        batches.put(batch.batchIndex(), batch);
        if (complete == null && batches.size() == expected) {
            complete = assemble();
            notifyAll();
        }
    }

    public synchronized Optional<TestSet> current() {
        return Optional.ofNullable(complete);
    }

    /** Progress, for logs and status: batches held and batches expected (-1 before the first). */
    public synchronized String progress() {
        return batches.size() + "/" + expected + " batches";
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

    private TestSet assemble() {
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
