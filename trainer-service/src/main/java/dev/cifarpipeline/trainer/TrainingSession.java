package dev.cifarpipeline.trainer;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.cifarpipeline.events.AugmentedBatch;
import dev.cifarpipeline.model.ModelWeights;
import dev.cifarpipeline.model.PixelNormaliser;
import dev.cifarpipeline.model.PyTorchDefaultInit;
import dev.cifarpipeline.model.VggFactory;

/**
 * The network, its optimizer and schedule, and one training step: normalise the uint8 batch on the engine,
 * forward in training mode, softmax cross-entropy, backward, SGD update. Every array a step creates lives in a
 * per-step sub-manager that is closed at the end of the step (DJL otherwise leaks ~250 MB a step).
 *
 * <p>The engine allows one gradient collector per JVM: one session trains at a time.
 */
public final class TrainingSession implements AutoCloseable {
    private final Model model;
    private final Trainer trainer;
    private final PixelNormaliser normaliser;
    private final OneCycleSchedule schedule;
    private long steps;

    public TrainingSession(TrainingSettings settings, OneCycleSchedule schedule) {
        this.schedule = schedule;
        Engine.getInstance().setRandomSeed((int) settings.seed()); // dropout masks
        SequentialBlock block = VggFactory.build(settings.model());
        model = Model.newInstance(settings.runId());
        model.setBlock(block);
        // The tracker reads the session's own step counter, so the rate is right after a resume as well.
        Tracker learningRate = ignoredUpdateCount -> (float) schedule.learningRate(steps);
        Optimizer sgd = Optimizer.sgd()
                .setLearningRateTracker(learningRate)
                .optMomentum((float) settings.momentum())
                .optWeightDecays((float) settings.weightDecay())
                .build();
        trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(sgd));
        trainer.initialize(VggFactory.INPUT_SHAPE);
        PyTorchDefaultInit.apply(block, settings.seed());
        normaliser = new PixelNormaliser(trainer.getManager());
    }

    /** Trains on one batch and returns its mean cross-entropy loss. */
    public double step(AugmentedBatch batch) {
        if (steps >= schedule.totalSteps()) {
            throw new IllegalStateException("the schedule has " + schedule.totalSteps() + " steps and all were taken");
        }
        try (NDManager stepManager = trainer.getManager().newSubManager()) {
            NDArray input = normaliser.normalise(batch.pixels(), 0, batch.size(), stepManager);
            long[] labelValues = new long[batch.size()];
            for (int i = 0; i < labelValues.length; i++) {
                labelValues[i] = batch.labels()[i];
            }
            NDArray labels = stepManager.create(labelValues);
            double loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList logits = trainer.forward(new NDList(input));
                NDArray lossValue = trainer.getLoss().evaluate(new NDList(labels), logits);
                collector.backward(lossValue);
                loss = lossValue.getFloat();
            }
            trainer.step();
            steps++;
            return loss;
        }
    }

    public long steps() {
        return steps;
    }

    /** The learning rate the next step will use. */
    public double learningRate() {
        return schedule.learningRate(Math.min(steps, schedule.totalSteps()));
    }

    public byte[] weights() {
        return ModelWeights.save(model.getBlock());
    }

    @Override
    public void close() {
        normaliser.close();
        trainer.close();
        model.close();
    }
}
