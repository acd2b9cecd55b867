package dev.cifarpipeline.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;

/**
 * A VGG of a given {@link ModelSpec} with loaded weights, run in inference mode (dropout off, BatchNorm on its
 * running statistics). Owns its NDManager; close it to free the weights.
 */
public final class VggInference implements AutoCloseable {
    private final ModelSpec spec;
    private final NDManager manager;
    private final SequentialBlock block;
    private final ParameterStore parameters;

    private VggInference(ModelSpec spec, NDManager manager, SequentialBlock block) {
        this.spec = spec;
        this.manager = manager;
        this.block = block;
        this.parameters = new ParameterStore(manager, false);
    }

    /** Builds the network of {@code spec} and loads checkpoint {@code weights} into it. */
    public static VggInference fromWeights(ModelSpec spec, byte[] weights, NDManager parent) {
        NDManager manager = parent.newSubManager();
        try {
            SequentialBlock block = VggFactory.build(spec);
            block.initialize(manager, DataType.FLOAT32, VggFactory.INPUT_SHAPE);
            ModelWeights.load(block, manager, weights);
            return new VggInference(spec, manager, block);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A freshly initialised network (PyTorch's default initialisation from {@code seed}). */
    public static VggInference initialised(ModelSpec spec, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        SequentialBlock block = VggFactory.build(spec);
        block.initialize(manager, DataType.FLOAT32, VggFactory.INPUT_SHAPE);
        PyTorchDefaultInit.apply(block, seed);
        return new VggInference(spec, manager, block);
    }

    /**
     * Logits of shape (n, 10) for a normalised input of shape (n, 3, 32, 32). Runs outside autograd, as the
     * seed's {@code with torch.no_grad()} does: with grad mode on, PyTorch would record a backward graph for
     * every batch (the parameters require gradients), costing time and memory for nothing.
     */
    public NDArray logits(NDArray input) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return block.forward(parameters, new NDList(input), false).singletonOrThrow();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public SequentialBlock block() {
        return block;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
