package dev.cifarpipeline.model;

import dev.cifarpipeline.events.ImageGeometry;

/**
 * The arithmetic of one image through the seed's VGG, counted from the architecture as {@link VggFactory} builds it:
 * multiply-adds of the 3×3 convolutions (padding 1, each block at half the previous block's resolution after its
 * 2×2 pool) and the two linear layers. BatchNorm, ReLU, pooling and the loss are a rounding error beside them and are
 * not counted. It turns images per second into FLOP/s (two per multiply-add), to set against what the machine's
 * engine can do at all.
 */
public final class ModelCost {
    /** A training step costs about three forward passes: the forward, and the backward's two products per layer. */
    public static final int TRAINING_PASSES = 3;

    private ModelCost() {}

    /** Multiply-adds of one image's forward pass. */
    public static long forwardMultiplyAdds(VggArchitecture architecture) {
        long total = 0;
        int side = ImageGeometry.HEIGHT;
        int in = ImageGeometry.CHANNELS;
        for (int b = 0; b < VggArchitecture.BLOCK_CHANNELS.size(); b++) {
            int out = VggArchitecture.BLOCK_CHANNELS.get(b);
            for (int c = 0; c < architecture.convolutionsPerBlock().get(b); c++) {
                total += (long) in * out * 9 * side * side;
                in = out;
            }
            side /= 2;
        }
        int flattened = in * side * side;
        total += (long) flattened * VggFactory.HIDDEN_UNITS + (long) VggFactory.HIDDEN_UNITS * ImageGeometry.CLASSES;
        return total;
    }

    /** FLOP/s of scoring {@code imagesPerSecond} images (forward only). */
    public static double inferenceFlops(VggArchitecture architecture, double imagesPerSecond) {
        return 2.0 * forwardMultiplyAdds(architecture) * imagesPerSecond;
    }

    /** FLOP/s of training on {@code imagesPerSecond} images (forward and backward). */
    public static double trainingFlops(VggArchitecture architecture, double imagesPerSecond) {
        return TRAINING_PASSES * inferenceFlops(architecture, imagesPerSecond);
    }
}
