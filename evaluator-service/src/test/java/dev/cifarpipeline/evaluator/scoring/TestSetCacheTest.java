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
        return testBatch(0, index, of, images, fill);
    }

    private static AugmentedBatch testBatch(long seed, int index, int of, int images, byte fill) {
        int[] indices = new int[images];
        byte[] labels = new byte[images];
        byte[] pixels = new byte[images * 3072];
        Arrays.fill(labels, (byte) (index % 10));
        Arrays.fill(pixels, fill);
        return new AugmentedBatch(BatchKind.TEST, seed, 0, index, of, indices, labels, pixels);
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

    @Test
    void oneOddRecordNeitherClearsTheSetBeingCollectedNorReplacesTheCompleteOne() throws InterruptedException {
        TestSetCache cache = new TestSetCache();
        cache.accept(testBatch(0, 3, 2, (byte) 1));
        cache.accept(testBatch(1, 3, 2, (byte) 2));
        cache.accept(testBatch(9, 0, 50, 1, (byte) 9)); // forged: another stream, another count
        assertTrue(cache.progress().contains("2/3 batches"), cache.progress());
        cache.accept(testBatch(2, 3, 1, (byte) 3));
        TestSet set = cache.await(Duration.ofSeconds(1));
        assertEquals(5, set.size());
        IllegalArgumentException odd =
                assertThrows(IllegalArgumentException.class, () -> cache.accept(testBatch(0, 1, 1, (byte) 7)));
        assertTrue(odd.getMessage().contains("the test set in use (stream 0) has 3"), odd.getMessage());
        cache.accept(testBatch(1, 3, 2, (byte) 2)); // published again: changes nothing
        assertEquals(set, cache.current().orElseThrow());
    }

    @Test
    void forgedCandidatesAreBoundedInNumberAndImages() {
        TestSetCache cache = new TestSetCache();
        for (int seed = 1; seed <= TestSetCache.MAX_CANDIDATES; seed++) {
            cache.accept(testBatch(seed, 0, 1000, 1, (byte) 0));
        }
        IllegalArgumentException more =
                assertThrows(IllegalArgumentException.class, () -> cache.accept(testBatch(99, 0, 1000, 1, (byte) 0)));
        assertTrue(more.getMessage().contains("others are incomplete"), more.getMessage());
        int images = 0;
        IllegalArgumentException full = null;
        for (int i = 1; full == null && i < 1000; i++) {
            try {
                cache.accept(testBatch(1, i, 1000, 128, (byte) 0));
                images += 128;
            } catch (IllegalArgumentException e) {
                full = e;
            }
        }
        assertTrue(full != null && full.getMessage().contains("more than " + TestSetCache.MAX_IMAGES_HELD), "" + full);
        assertTrue(images <= TestSetCache.MAX_IMAGES_HELD, images + " images held");
    }
}
