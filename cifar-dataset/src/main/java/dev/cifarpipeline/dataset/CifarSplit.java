package dev.cifarpipeline.dataset;

import dev.cifarpipeline.events.ImageGeometry;
import java.util.List;

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

    /** The splits one after the other, as the five training files make one training set. */
    public static CifarSplit concat(List<CifarSplit> splits) {
        int n = splits.stream().mapToInt(CifarSplit::size).sum();
        byte[] labels = new byte[n];
        byte[] pixels = new byte[n * ImageGeometry.BYTES_PER_IMAGE];
        int at = 0;
        for (CifarSplit s : splits) {
            System.arraycopy(s.labels, 0, labels, at, s.size());
            System.arraycopy(s.pixels, 0, pixels, at * ImageGeometry.BYTES_PER_IMAGE, s.pixels.length);
            at += s.size();
        }
        return new CifarSplit(labels, pixels);
    }

    public int size() {
        return labels.length;
    }

    /** Copies image {@code index}'s 3,072 bytes into {@code target} at {@code offset}. */
    public void copyImage(int index, byte[] target, int offset) {
        System.arraycopy(pixels, index * ImageGeometry.BYTES_PER_IMAGE, target, offset, ImageGeometry.BYTES_PER_IMAGE);
    }
}
