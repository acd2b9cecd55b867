package dev.cifarpipeline.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;
import java.util.SplittableRandom;

/**
 * PyTorch's default initialisation of {@code Conv2d} and {@code Linear}: weights from kaiming_uniform with
 * a = √5, which is uniform in ±1/√fan_in, and biases uniform in ±1/√fan_in too. It matters: with DJL's
 * default (Kaiming normal) the seed's network diverges within three steps. BatchNorm keeps DJL's defaults,
 * which equal PyTorch's (γ = 1, β = 0, running mean 0, running variance 1).
 *
 * <p>Values come from a seeded Java generator, so an initialisation is reproducible on any engine or device.
 */
public final class PyTorchDefaultInit {
    private PyTorchDefaultInit() {}

    /** Re-initialises every convolution and linear layer under {@code root}; call after {@code initialize}. */
    public static void apply(Block root, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        visit(root, random);
    }

    private static void visit(Block block, SplittableRandom random) {
        if (block instanceof Convolution || block instanceof Linear) {
            NDArray weight = null;
            NDArray bias = null;
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                    weight = p.getValue().getArray();
                } else if (p.getValue().getType() == Parameter.Type.BIAS) {
                    bias = p.getValue().getArray();
                }
            }
            if (weight == null) {
                throw new IllegalStateException(
                        block + " has no weight: initialise the block before re-initialising it");
            }
            long fanIn = weight.getShape().size() / weight.getShape().get(0);
            float bound = (float) (1.0 / Math.sqrt(fanIn));
            fill(weight, bound, random);
            if (bias != null) {
                fill(bias, bound, random);
            }
            return;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            visit(child.getValue(), random);
        }
    }

    private static void fill(NDArray array, float bound, SplittableRandom random) {
        float[] values = new float[Math.toIntExact(array.getShape().size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-bound, bound);
        }
        array.set(values);
    }
}
