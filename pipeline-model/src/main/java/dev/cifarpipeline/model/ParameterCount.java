package dev.cifarpipeline.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/** Trainable parameters of a block, counted the way PyTorch's {@code sum(p.numel() for p in parameters())} does. */
public final class ParameterCount {
    private ParameterCount() {}

    public static long trainable(Block block) {
        long total = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                total += p.getValue().getArray().getShape().size();
            }
        }
        return total;
    }
}
