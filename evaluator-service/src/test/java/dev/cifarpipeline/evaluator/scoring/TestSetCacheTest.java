package dev.cifarpipeline.evaluator.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TestSetCacheTest {
    private static AugmentedBatch testBatch(int index, int of, int images, byte fill) {
        int[] indices = new int[images];
        byte[] labels = new byte[images];
        byte[] pixels = new byte[images * 3072];
        Arrays.fill(labels, (byte) (index % 10));
        Arrays.fill(pixels, fill);
        return new AugmentedBatch(BatchKind.TEST, 0, 0, index, of, indices, labels, pixels);
    }

    @Test
    void batchesArrivingOutOfOrderAndTwiceMakeOneTestSetInIndexOrder() throws InterruptedException {
        TestSetCache cache = new TestSetCache();
        cache.accept(testBatch(2, 3, 1, (byte) 3));
        cache.accept(testBatch(0, 3, 2, (byte) 1));
        cache.accept(testBatch(0, 3, 2, (byte) 1)); // ingest restarted and published it again
        assertTrue(cache.current().isEmpty());
        cache.accept(testBatch(1, 3, 2, (byte) 2));
        TestSet set = cache.await(Duration.ofSeconds(1));
        assertEquals(5, set.size());
        assertArrayEquals(new byte[] {0, 0, 1, 1, 2}, set.labels());
        assertEquals(3, set.pixels()[4 * 3072]);
    }

    @Test
    void waitingForAnIncompleteTestSetTimesOutWithProgress() {
        TestSetCache cache = new TestSetCache();
        cache.accept(testBatch(0, 4, 1, (byte) 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.await(Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("1/4 batches"), e.getMessage());
    }

    @Test
    void trainingBatchesAreRefused() {
        AugmentedBatch train = new AugmentedBatch(BatchKind.TRAIN, 0, 0, 0, 1, new int[1], new byte[1], new byte[3072]);
        assertThrows(IllegalArgumentException.class, () -> new TestSetCache().accept(train));
    }
}
