package dev.cifarpipeline.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cifarpipeline.events.ImageGeometry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns uint8 CHW pixels into the seed's network input: ToTensor (÷255) then Normalize with the seed's
 * per-channel mean and std, folded into one affine step {@code (x − 255·mean) / (255·std)} on the engine.
 * One direct buffer is reused for every batch, so feeding the engine allocates no Java garbage per step.
 * Not thread-safe: one normaliser per training or scoring loop.
 */
public final class PixelNormaliser implements AutoCloseable {
    /** The seed's {@code transforms.Normalize} mean, per channel (R, G, B). */
    public static final float[] MEAN = {0.4914f, 0.4822f, 0.4465f};
    /** The seed's {@code transforms.Normalize} std, per channel (R, G, B). */
    public static final float[] STD = {0.2023f, 0.1994f, 0.2010f};

    private final NDManager constants;
    private final NDArray offset;
    private final NDArray scale;
    private ByteBuffer buffer;

    public PixelNormaliser(NDManager parent) {
        constants = parent.newSubManager();
        float[] offsets = new float[3];
        float[] scales = new float[3];
        for (int c = 0; c < 3; c++) {
            offsets[c] = 255f * MEAN[c];
            scales[c] = 1f / (255f * STD[c]);
        }
        offset = constants.create(offsets, new Shape(1, 3, 1, 1));
        scale = constants.create(scales, new Shape(1, 3, 1, 1));
    }

    /** Normalised float32 input of shape (n, 3, 32, 32), created in {@code step} (close it after the step). */
    public NDArray normalise(byte[] pixels, int offsetBytes, int images, NDManager step) {
        int bytes = images * ImageGeometry.BYTES_PER_IMAGE;
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear();
        buffer.put(pixels, offsetBytes, bytes).flip();
        NDArray raw = step.create(
                buffer,
                new Shape(images, ImageGeometry.CHANNELS, ImageGeometry.HEIGHT, ImageGeometry.WIDTH),
                DataType.UINT8);
        return raw.toType(DataType.FLOAT32, false).sub(offset).mul(scale);
    }

    @Override
    public void close() {
        constants.close();
    }
}
