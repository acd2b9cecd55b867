package dev.cifarpipeline.dataset;

import dev.cifarpipeline.events.ImageGeometry;

/**
 * One split (train or test) held in memory: labels and CHW uint8 pixels, image-major. The whole of
 * CIFAR-10 is 184 MB this way, so holding it is cheaper than re-reading files every epoch.
 */
public record CifarSplit(byte[] labels, byte[] pixels) {
    public CifarSplit {
        if (pixels.length != (long) labels.length * ImageGeometry.BYTES_PER_IMAGE) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes for " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }

    /** Copies image {@code index}'s 3,072 bytes into {@code target} at {@code offset}. */
    public void copyImage(int index, byte[] target, int offset) {
        System.arraycopy(pixels, index * ImageGeometry.BYTES_PER_IMAGE, target, offset, ImageGeometry.BYTES_PER_IMAGE);
    }
}
