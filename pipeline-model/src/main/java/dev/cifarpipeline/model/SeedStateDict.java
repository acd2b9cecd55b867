package dev.cifarpipeline.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network's parameters under the names the seed's PyTorch module gives them, so that its own
 * {@code VGG11().load_state_dict(...)} accepts our weights and we accept its. The seed names a block's first
 * convolution {@code conv2D1} and the following ones {@code conv2D0}, {@code conv2D1}, … (its {@code blockVGG});
 * the head is {@code layer6.0} and {@code layer6.2} (Linear, ReLU, Linear). Two cases the seed cannot name:
 * in blocks of three or more convolutions (VGG16, VGG19) the seed's loop reuses {@code conv2D1}, overwriting the
 * block's first convolution, so our third one is {@code conv2D1b}; and the BatchNorm layout, which the seed
 * lacks, puts {@code bn<suffix>} after each {@code conv2D<suffix>} with PyTorch's BatchNorm2d names
 * ({@code weight}, {@code bias}, {@code running_mean}, {@code running_var}, {@code num_batches_tracked}).
 * Shapes are PyTorch's: convolution (out, in, 3, 3), linear (out, in), as DJL stores them too.
 */
public final class SeedStateDict {
    /** PyTorch's BatchNorm2d counter, which the format needs and DJL does not keep. */
    public static final String BATCHES_TRACKED = "num_batches_tracked";

    private SeedStateDict() {}

    /** The parameters of a network built by {@link VggFactory}, by seed name, in the seed's state_dict order. */
    public static LinkedHashMap<String, Parameter> parameters(SequentialBlock net) {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        List<Block> layers = children(net);
        if (layers.size() != VggArchitecture.BLOCK_CHANNELS.size() + 1) {
            throw new IllegalArgumentException("not a VggFactory network: " + layers.size() + " top-level blocks");
        }
        for (int b = 0; b < layers.size() - 1; b++) {
            String layer = "layer" + (b + 1) + ".";
            int conv = 0;
            String suffix = null;
            for (Block child : children(layers.get(b))) {
                if (child instanceof Conv2d) {
                    suffix = convSuffix(conv++);
                    out.put(
                            layer + "conv2D" + suffix + ".weight",
                            child.getParameters().get("weight"));
                    out.put(
                            layer + "conv2D" + suffix + ".bias",
                            child.getParameters().get("bias"));
                } else if (child instanceof BatchNorm) {
                    String bn = layer + "bn" + suffix + ".";
                    out.put(bn + "weight", child.getParameters().get("gamma"));
                    out.put(bn + "bias", child.getParameters().get("beta"));
                    out.put(bn + "running_mean", child.getParameters().get("runningMean"));
                    out.put(bn + "running_var", child.getParameters().get("runningVar"));
                }
            }
        }
        int linear = 0;
        for (Block child : children(layers.get(layers.size() - 1))) {
            if (child instanceof Linear) {
                String name = "layer6." + (linear++ == 0 ? 0 : 2) + ".";
                out.put(name + "weight", child.getParameters().get("weight"));
                out.put(name + "bias", child.getParameters().get("bias"));
            }
        }
        return out;
    }

    /** The seed's name suffix of a block's c-th convolution: 1, then 0, 1b, 2, 3, … (see the class comment). */
    static String convSuffix(int c) {
        if (c == 0) {
            return "1";
        }
        int loop = c - 1;
        return loop == 1 ? "1b" : Integer.toString(loop);
    }

    /** The network's weights as a safetensors file in the seed's names; {@code batchesTracked} fills BatchNorm's counter. */
    public static byte[] export(SequentialBlock net, Map<String, String> metadata, long batchesTracked) {
        LinkedHashMap<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : parameters(net).entrySet()) {
            NDArray array = e.getValue().getArray();
            tensors.put(e.getKey(), SafeTensors.Tensor.f32(array.getShape().getShape(), array.toFloatArray()));
            if (e.getKey().endsWith(".running_var")) {
                tensors.put(
                        e.getKey().replace("running_var", BATCHES_TRACKED),
                        SafeTensors.Tensor.i64Scalar(batchesTracked));
            }
        }
        return SafeTensors.write(tensors, metadata);
    }

    /**
     * A network of {@code spec} with the weights of a safetensors file in the seed's names. Strict, as
     * {@code load_state_dict} is: a missing or unexpected name, a dtype other than F32 or a shape that differs is
     * refused, naming the tensor.
     */
    public static VggInference load(ModelSpec spec, byte[] safetensors, NDManager parent) {
        SafeTensors.File file = SafeTensors.read(safetensors);
        VggInference net = VggInference.initialised(spec, 0, parent);
        try {
            LinkedHashMap<String, Parameter> expected = parameters(net.block());
            List<String> unexpected = new ArrayList<>();
            for (String name : file.tensors().keySet()) {
                if (!expected.containsKey(name) && !name.endsWith("." + BATCHES_TRACKED)) {
                    unexpected.add(name);
                }
            }
            List<String> missing = new ArrayList<>(expected.keySet());
            missing.removeAll(file.tensors().keySet());
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException(
                        "the file does not fit " + spec + ": missing " + missing + ", unexpected " + unexpected);
            }
            boolean gradMode = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (Map.Entry<String, Parameter> e : expected.entrySet()) {
                    SafeTensors.Tensor t = file.tensors().get(e.getKey());
                    NDArray target = e.getValue().getArray();
                    if (!t.dtype().equals("F32")
                            || !Arrays.equals(t.shape(), target.getShape().getShape())) {
                        throw new IllegalArgumentException("tensor " + e.getKey() + " is " + t.dtype() + " "
                                + Arrays.toString(t.shape()) + ", the model needs F32 " + target.getShape());
                    }
                    target.set(t.floats());
                }
            } finally {
                JniUtils.setGradMode(gradMode);
            }
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private static List<Block> children(Block block) {
        List<Block> out = new ArrayList<>();
        block.getChildren().forEach(p -> out.add(p.getValue()));
        return out;
    }
}
