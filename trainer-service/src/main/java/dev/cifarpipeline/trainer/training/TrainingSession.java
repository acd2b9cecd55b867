package dev.cifarpipeline.trainer.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.ModelWeights;
import dev.cifarpipeline.model.PixelNormaliser;
import dev.cifarpipeline.model.PyTorchDefaultInit;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.model.VggFactory;
import dev.cifarpipeline.model.VggInference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The network, its optimizer and schedule, and one training step: normalise the uint8 batch on the engine,
 * forward in training mode, softmax cross-entropy, backward, {@link PyTorchSgd} update with the
 * {@link OneCycleSchedule}'s learning rate and momentum. Every array a step creates lives in a
 * per-step sub-manager that is closed at the end of the step (DJL otherwise leaks ~250 MB a step).
 *
 * <p>The engine allows one gradient collector per JVM, so the sessions of one trainer take their steps in
 * turns ({@link #STEP_LOCK}). Dropout draws from the engine's one global generator, so each step re-seeds it
 * from (run seed, step): a step's masks depend on nothing else, which makes the generator's state at any step
 * reproducible from what a checkpoint stores, and keeps runs sharing a JVM from drawing from each other's stream.
 */
public final class TrainingSession implements AutoCloseable {
    private final Model model;
    private final Trainer trainer;
    private final PixelNormaliser normaliser;
    private final OneCycleSchedule schedule;
    private final PyTorchSgd optimizer;
    private final ModelSpec spec;
    private final boolean cycleMomentum;
    private final double fixedMomentum;
    private long steps;
    private final long seed;
    private volatile StepTimes lastStepTimes = StepTimes.NONE;
    /** One gradient collector per JVM: held for the whole of each step by every session of the process. */
    private static final ReentrantLock STEP_LOCK = new ReentrantLock();

    public TrainingSession(TrainingSettings settings, OneCycleSchedule schedule) {
        this.schedule = schedule;
        this.cycleMomentum = settings.cycleMomentum();
        this.fixedMomentum = settings.momentum();
        this.seed = settings.seed();
        this.spec = settings.model();
        SequentialBlock block = VggFactory.build(settings.model());
        model = Model.newInstance(settings.runId());
        model.setBlock(block);
        // The optimizer reads the schedule at the session's own step counter, so rate and momentum are right after
        // a resume as well; without cycling, the SGD keeps the momentum it was built with (PyTorch's semantics).
        PyTorchSgd.Hyperparameters current = new PyTorchSgd.Hyperparameters() {
            @Override
            public double learningRate() {
                return TrainingSession.this.learningRate();
            }

            @Override
            public double momentum() {
                return TrainingSession.this.momentum();
            }
        };
        optimizer = new PyTorchSgd(current, settings.weightDecay(), settings.dampening(), settings.nesterov());
        trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer));
        trainer.initialize(VggFactory.INPUT_SHAPE);
        PyTorchDefaultInit.apply(block, settings.seed());
        normaliser = new PixelNormaliser(trainer.getManager());
    }

    /** Trains on one batch and returns its mean cross-entropy loss. */
    public double step(AugmentedBatch batch) {
        if (steps >= schedule.totalSteps()) {
            throw new IllegalStateException("the schedule has " + schedule.totalSteps() + " steps and all were taken");
        }
        STEP_LOCK.lock();
        try (NDManager stepManager = trainer.getManager().newSubManager()) {
            long start = System.nanoTime();
            Engine.getInstance().setRandomSeed(stepSeed(seed, steps));
            NDArray input = normaliser.normalise(batch.pixels(), 0, batch.size(), stepManager);
            long[] labelValues = new long[batch.size()];
            for (int i = 0; i < labelValues.length; i++) {
                labelValues[i] = batch.labels()[i];
            }
            NDArray labels = stepManager.create(labelValues);
            double loss;
            long inputDone;
            long forwardDone;
            long backwardDone;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                inputDone = System.nanoTime();
                NDList logits = trainer.forward(new NDList(input));
                NDArray lossValue = trainer.getLoss().evaluate(new NDList(labels), logits);
                forwardDone = System.nanoTime();
                collector.backward(lossValue);
                loss = lossValue.getFloat();
                backwardDone = System.nanoTime();
            }
            trainer.step();
            lastStepTimes = new StepTimes(
                    inputDone - start,
                    forwardDone - inputDone,
                    backwardDone - forwardDone,
                    System.nanoTime() - backwardDone);
            steps++;
            return loss;
        } finally {
            STEP_LOCK.unlock();
        }
    }

    /** The dropout seed of a step: SplitMix64's finaliser over (seed, step), so neighbouring steps are unrelated. */
    static int stepSeed(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31));
    }

    /** Where the latest step's time went. */
    public StepTimes lastStepTimes() {
        return lastStepTimes;
    }

    public long steps() {
        return steps;
    }

    /** The learning rate the next step will use. */
    public double learningRate() {
        return schedule.learningRate(Math.min(steps, schedule.totalSteps()));
    }

    /** The momentum the next step will use. */
    public double momentum() {
        return cycleMomentum ? schedule.momentum(Math.min(steps, schedule.totalSteps())) : fixedMomentum;
    }

    public byte[] weights() {
        return ModelWeights.save(model.getBlock());
    }

    /** The momentum buffers in the block's order of trainable parameters; null where none exists yet. */
    public List<TrainingCheckpoint.Tensor> momentumState() {
        List<TrainingCheckpoint.Tensor> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            if (p.getValue().requiresGradient()) {
                NDArray buffer = optimizer.momentumBuffers().get(p.getValue().getId());
                out.add(
                        buffer == null
                                ? null
                                : new TrainingCheckpoint.Tensor(
                                        buffer.getShape().getShape(), buffer.toFloatArray()));
            }
        }
        return out;
    }

    /**
     * Puts the session where a checkpoint left it: weights (and BatchNorm statistics), momentum buffers, the
     * schedule's position (and with it the dropout generator, seeded per step). Values are copied into the existing arrays,
     * outside autograd, so the gradients the trainer attached stay attached.
     */
    public void restore(TrainingCheckpoint checkpoint) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (VggInference saved = VggInference.fromWeights(spec, checkpoint.weights(), trainer.getManager())) {
            var target = model.getBlock().getParameters();
            var source = saved.block().getParameters();
            for (int i = 0; i < target.size(); i++) {
                NDArray to = target.get(i).getValue().getArray();
                to.set(source.get(i).getValue().getArray().toFloatArray());
            }
            List<TrainingCheckpoint.Tensor> buffers = checkpoint.momentumBuffers();
            int k = 0;
            for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                if (!p.getValue().requiresGradient()) {
                    continue;
                }
                TrainingCheckpoint.Tensor t = k < buffers.size() ? buffers.get(k) : null;
                k++;
                if (t != null) {
                    NDArray buffer = trainer.getManager().create(t.values(), new Shape(t.shape()));
                    optimizer.momentumBuffers().put(p.getValue().getId(), buffer);
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        steps = checkpoint.state().step();
    }

    @Override
    public void close() {
        normaliser.close();
        trainer.close();
        model.close();
    }
}
