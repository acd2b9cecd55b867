package dev.cifarpipeline.trainer.training;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code torch.optim.SGD}'s update, in DJL: with weight decay {@code wd}, momentum {@code m}, dampening
 * {@code d} and the learning rate {@code lr} of the current step,
 *
 * <pre>
 * g ← grad + wd·w
 * buf ← g                      (first step)        buf ← m·buf + (1 − d)·g   (after)
 * g ← g + m·buf  (Nesterov)    or   g ← buf
 * w ← w − lr·g
 * </pre>
 *
 * DJL's own SGD folds the learning rate into the momentum buffer, which differs from PyTorch as soon as the rate
 * changes every step, as it does under OneCycle. The learning rate and momentum come from a {@link Hyperparameters}
 * source read at every update, so OneCycle's momentum cycling reaches the optimizer exactly as PyTorch's scheduler
 * overwrites {@code group['momentum']}; with momentum 0 no buffer is kept, as in PyTorch.
 *
 * <p>The PyTorch engine's gradient collector does not zero gradients and the {@code grad} handed to
 * {@link #update} is a copy, so the weight's own gradient is cleared here after each update.
 */
public final class PyTorchSgd extends Optimizer {

    /** The values in force for the current step. */
    public interface Hyperparameters {
        double learningRate();

        double momentum();
    }

    private final Hyperparameters hyperparameters;
    private final double weightDecay;
    private final double dampening;
    private final boolean nesterov;
    private final Map<String, NDArray> momentumBuffers = new ConcurrentHashMap<>();

    public PyTorchSgd(Hyperparameters hyperparameters, double weightDecay, double dampening, boolean nesterov) {
        super(new Builder());
        if (nesterov && dampening != 0) {
            throw new IllegalArgumentException(
                    "Nesterov momentum requires zero dampening (as in torch.optim.SGD), got " + dampening);
        }
        if (weightDecay < 0 || dampening < 0 || dampening > 1) {
            throw new IllegalArgumentException(
                    "weight decay " + weightDecay + " and dampening " + dampening + " are out of range");
        }
        this.hyperparameters = hyperparameters;
        this.weightDecay = weightDecay;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        // PyTorch's grad mode is per thread and on by default: a worker thread that never ran a gradient collector
        // would refuse in-place updates of leaf weights. The update is outside autograd, as torch.no_grad() makes it.
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            applyUpdate(parameterId, weight, grad);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private void applyUpdate(String parameterId, NDArray weight, NDArray grad) {
        double lr = hyperparameters.learningRate();
        double m = hyperparameters.momentum();
        if (weightDecay != 0) {
            try (NDArray decay = weight.mul(weightDecay)) {
                grad.addi(decay);
            }
        }
        NDArray direction = grad;
        if (m != 0) {
            NDArray buffer = momentumBuffers.get(parameterId);
            if (buffer == null) {
                buffer = grad.duplicate();
                buffer.attach(weight.getManager()); // outlives the step; grad is closed after this call
                momentumBuffers.put(parameterId, buffer);
            } else {
                buffer.muli(m);
                try (NDArray scaled = grad.mul(1 - dampening)) {
                    buffer.addi(scaled);
                }
            }
            if (nesterov) {
                try (NDArray look = buffer.mul(m)) {
                    grad.addi(look);
                }
            } else {
                direction = buffer;
            }
        }
        try (NDArray step = direction.mul(lr)) {
            weight.subi(step);
        }
        clearGradient(weight);
    }

    private static void clearGradient(NDArray weight) {
        if (weight instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else if (weight.hasGradient()) {
            try (NDArray gradient = weight.getGradient()) {
                gradient.subi(gradient);
            }
        }
    }

    /** Momentum buffers by parameter id: optimizer state a checkpoint must carry for an exact resume. */
    public Map<String, NDArray> momentumBuffers() {
        return momentumBuffers;
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
