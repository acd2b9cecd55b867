package dev.cifarpipeline.evaluator.scoring;

import dev.cifarpipeline.events.ImageGeometry;

/** The whole test set in memory, in the order ingest published it. */
public record TestSet(byte[] labels, byte[] pixels) {
    public TestSet {
        if (pixels.length != labels.length * ImageGeometry.BYTES_PER_IMAGE) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes for " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }
}
