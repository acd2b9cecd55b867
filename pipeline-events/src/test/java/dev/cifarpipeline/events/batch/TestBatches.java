package dev.cifarpipeline.events.batch;

import dev.cifarpipeline.events.ImageGeometry;
import java.util.Random;

/** Small random batches for codec tests. */
final class TestBatches {
    private TestBatches() {}

    static AugmentedBatch random(int images, long seed) {
        Random random = new Random(seed);
        int[] indices = new int[images];
        byte[] labels = new byte[images];
        for (int i = 0; i < images; i++) {
            indices[i] = random.nextInt(50_000);
            labels[i] = (byte) random.nextInt(10);
        }
        byte[] pixels = new byte[images * ImageGeometry.BYTES_PER_IMAGE];
        random.nextBytes(pixels);
        return new AugmentedBatch(BatchKind.TRAIN, seed, 2, 5, 391, indices, labels, pixels);
    }
}
