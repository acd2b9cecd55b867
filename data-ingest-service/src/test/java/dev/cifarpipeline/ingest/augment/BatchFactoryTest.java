package dev.cifarpipeline.ingest.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchFactoryTest {
    private static final CifarDataset DATASET = new CifarDataset(
            Path.of("synthetic"),
            "synthetic",
            SyntheticCifar.generate(300, 4, false),
            SyntheticCifar.generate(250, 4, true));

    @Test
    void anEpochCoversEveryTrainingImageOnceWithAShortLastBatch() {
        BatchFactory factory = new BatchFactory(DATASET, 7, 128, 100);
        assertEquals(3, factory.trainBatchesPerEpoch());
        int[] seen = new int[300];
        for (int b = 0; b < 3; b++) {
            AugmentedBatch batch = factory.trainBatch(2, b);
            assertEquals(b < 2 ? 128 : 44, batch.size());
            assertEquals(BatchKind.TRAIN, batch.kind());
            for (int i = 0; i < batch.size(); i++) {
                seen[batch.imageIndices()[i]]++;
                assertEquals(DATASET.train().labels()[batch.imageIndices()[i]], batch.labels()[i]);
            }
        }
        assertEquals(300, Arrays.stream(seen).filter(s -> s == 1).count());
    }

    @Test
    void batchesRegenerateExactlyAndEachEpochIsShuffledAfresh() {
        AugmentedBatch a = new BatchFactory(DATASET, 7, 64, 100).trainBatch(1, 2);
        BatchFactory other = new BatchFactory(DATASET, 7, 64, 100);
        other.trainBatch(0, 0); // a different history must not matter
        assertEquals(a, other.trainBatch(1, 2));
        assertNotEquals(
                Arrays.toString(a.imageIndices()),
                Arrays.toString(other.trainBatch(2, 2).imageIndices()));
    }

    @Test
    void augmentedPixelsAreTheCropAndFlipOfTheSourceImage() {
        BatchFactory factory = new BatchFactory(DATASET, 11, 32, 100);
        AugmentedBatch batch = factory.trainBatch(0, 1);
        int image = batch.imageIndices()[5];
        byte[] expected = new byte[3072];
        RandomCropFlip.apply(
                new RandomCropFlip(11).draw(0, image), DATASET.train().pixels(), image * 3072, expected, 0);
        assertArrayEquals(expected, Arrays.copyOfRange(batch.pixels(), 5 * 3072, 6 * 3072));
    }

    @Test
    void testBatchesAreTheTestSplitInOrderUnaugmented() {
        BatchFactory factory = new BatchFactory(DATASET, 11, 32, 100);
        assertEquals(3, factory.testBatches());
        AugmentedBatch last = factory.testBatch(2);
        assertEquals(50, last.size());
        assertEquals(200, last.imageIndices()[0]);
        assertArrayEquals(Arrays.copyOfRange(DATASET.test().pixels(), 200 * 3072, 250 * 3072), last.pixels());
        assertEquals(BatchKind.TEST, last.kind());
    }
}
