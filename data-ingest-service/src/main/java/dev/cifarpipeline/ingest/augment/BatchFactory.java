package dev.cifarpipeline.ingest.augment;

import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.dataset.CifarSplit;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;

/**
 * Cuts a dataset into the batches ingest publishes. Training batches follow the epoch's shuffle and are
 * augmented; the last batch of an epoch may be short (the seed's DataLoader keeps it: 50,000 / 128 gives 390
 * full batches and one of 80). Test batches are the test split in order, unaugmented. Every batch is a pure
 * function of (stream seed, epoch, batch index).
 */
public final class BatchFactory {
    private final CifarDataset dataset;
    private final long streamSeed;
    private final int batchSize;
    private final int testBatchSize;
    private final RandomCropFlip augmentation;
    private int shuffledEpoch = -1;
    private int[] shuffle;

    public BatchFactory(CifarDataset dataset, long streamSeed, int batchSize, int testBatchSize) {
        if (batchSize <= 0 || testBatchSize <= 0) {
            throw new IllegalArgumentException(
                    "batch sizes must be positive: train " + batchSize + ", test " + testBatchSize);
        }
        this.dataset = dataset;
        this.streamSeed = streamSeed;
        this.batchSize = batchSize;
        this.testBatchSize = testBatchSize;
        this.augmentation = new RandomCropFlip(streamSeed);
    }

    public int trainBatchesPerEpoch() {
        return ceilDiv(dataset.train().size(), batchSize);
    }

    public int trainImages() {
        return dataset.train().size();
    }

    public int testBatches() {
        return ceilDiv(dataset.test().size(), testBatchSize);
    }

    public AugmentedBatch trainBatch(int epoch, int batchIndex) {
        CifarSplit train = dataset.train();
        if (epoch != shuffledEpoch) {
            shuffle = EpochShuffle.permutation(streamSeed, epoch, train.size());
            shuffledEpoch = epoch;
        }
        int from = batchIndex * batchSize;
        int count = Math.min(batchSize, train.size() - from);
        int[] indices = new int[count];
        byte[] labels = new byte[count];
        byte[] pixels = new byte[count * ImageGeometry.BYTES_PER_IMAGE];
        for (int i = 0; i < count; i++) {
            int image = shuffle[from + i];
            indices[i] = image;
            labels[i] = train.labels()[image];
            RandomCropFlip.apply(
                    augmentation.draw(epoch, image),
                    train.pixels(),
                    image * ImageGeometry.BYTES_PER_IMAGE,
                    pixels,
                    i * ImageGeometry.BYTES_PER_IMAGE);
        }
        return new AugmentedBatch(
                BatchKind.TRAIN, streamSeed, epoch, batchIndex, trainBatchesPerEpoch(), indices, labels, pixels);
    }

    public AugmentedBatch testBatch(int batchIndex) {
        CifarSplit test = dataset.test();
        int from = batchIndex * testBatchSize;
        int count = Math.min(testBatchSize, test.size() - from);
        int[] indices = new int[count];
        byte[] labels = new byte[count];
        byte[] pixels = new byte[count * ImageGeometry.BYTES_PER_IMAGE];
        for (int i = 0; i < count; i++) {
            indices[i] = from + i;
            labels[i] = test.labels()[from + i];
        }
        System.arraycopy(test.pixels(), from * ImageGeometry.BYTES_PER_IMAGE, pixels, 0, pixels.length);
        return new AugmentedBatch(BatchKind.TEST, streamSeed, 0, batchIndex, testBatches(), indices, labels, pixels);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
