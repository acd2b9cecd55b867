package dev.cifarpipeline.events.batch;

import dev.cifarpipeline.events.ImageGeometry;
import java.util.Arrays;
import java.util.Objects;

/**
 * A mini-batch of uint8 CIFAR images as it travels from ingest to the trainer (or evaluator, for the test
 * set). Pixels stay uint8 after augmentation: normalisation is a cheap affine step on the consumer's device,
 * and uint8 is a quarter of the bytes on the wire.
 *
 * @param kind            training batch (augmented) or test-set batch
 * @param streamSeed      the seed of the stream the batch belongs to; with epoch and image index it
 *                        determines the augmentation, so any batch can be regenerated
 * @param epoch           0-based epoch of the stream
 * @param batchIndex      0-based position of the batch in its epoch
 * @param batchesInEpoch  how many batches the epoch has, so a consumer knows when an epoch is complete
 * @param imageIndices    index of each image in its split of the dataset
 * @param labels          class of each image, 0–9
 * @param pixels          {@code imageIndices.length × 3 × 32 × 32} bytes, image-major then CHW
 */
public record AugmentedBatch(
        BatchKind kind,
        long streamSeed,
        int epoch,
        int batchIndex,
        int batchesInEpoch,
        int[] imageIndices,
        byte[] labels,
        byte[] pixels) {

    public AugmentedBatch {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(imageIndices, "imageIndices");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(pixels, "pixels");
        int count = imageIndices.length;
        if (count == 0 || count > AugmentedBatchCodec.MAX_IMAGES) {
            throw new IllegalArgumentException(
                    "a batch holds 1.." + AugmentedBatchCodec.MAX_IMAGES + " images, not " + count);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException(labels.length + " labels for " + count + " images");
        }
        if (pixels.length != count * ImageGeometry.BYTES_PER_IMAGE) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes for " + count + " images, expected "
                    + (long) count * ImageGeometry.BYTES_PER_IMAGE);
        }
        if (epoch < 0 || batchIndex < 0 || batchesInEpoch <= 0 || batchIndex >= batchesInEpoch) {
            throw new IllegalArgumentException(
                    "batch " + batchIndex + " of " + batchesInEpoch + " in epoch " + epoch + " is out of range");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= ImageGeometry.CLASSES) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside 0..9");
            }
        }
    }

    public int size() {
        return imageIndices.length;
    }

    /** Identity of the batch within its stream: (kind, epoch, batch index). */
    public String id() {
        return kind + "/" + epoch + "/" + batchIndex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AugmentedBatch b
                && kind == b.kind
                && streamSeed == b.streamSeed
                && epoch == b.epoch
                && batchIndex == b.batchIndex
                && batchesInEpoch == b.batchesInEpoch
                && Arrays.equals(imageIndices, b.imageIndices)
                && Arrays.equals(labels, b.labels)
                && Arrays.equals(pixels, b.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                kind,
                streamSeed,
                epoch,
                batchIndex,
                batchesInEpoch,
                Arrays.hashCode(imageIndices),
                Arrays.hashCode(labels),
                Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return "AugmentedBatch[" + id() + " of " + batchesInEpoch + ", " + size() + " images, seed " + streamSeed + "]";
    }
}
