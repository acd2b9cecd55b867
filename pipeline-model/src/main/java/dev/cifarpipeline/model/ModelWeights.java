package dev.cifarpipeline.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A block's parameters (weights, biases, BatchNorm statistics) as bytes, in DJL's parameter format: the weights
 * section of a {@link TrainingCheckpoint}, which the evaluator, building the same {@link ModelSpec}, loads.
 */
public final class ModelWeights {
    private ModelWeights() {}

    public static byte[] save(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(40 << 20);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise model parameters", e);
        }
        return bytes.toByteArray();
    }

    /** Loads {@code weights} into an initialised {@code block} of the same spec. */
    public static void load(Block block, NDManager manager, byte[] weights) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new IllegalArgumentException("checkpoint weights do not fit this model: " + e.getMessage(), e);
        }
    }
}
