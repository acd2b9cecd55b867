package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.model.ModelSpec;
import java.util.Objects;

/**
 * What one training run does, independent of where its batches come from.
 *
 * @param runId           name of the run, in checkpoints, results and metrics
 * @param sweep           the sweep the run belongs to, carried into its checkpoints' manifests; null for a run of its own
 * @param preset          the recipe the values came from (overrides included)
 * @param model           the network
 * @param epochs          epochs to train
 * @param scheduleEpochs  epochs the OneCycle schedule spans (≥ epochs; the seed: 150 while training 60)
 * @param maxLearningRate OneCycle's peak learning rate
 * @param weightDecay     SGD weight decay
 * @param cycleMomentum   OneCycle's cycle_momentum: momentum 0.95 → 0.85 → 0.95 written into SGD every step
 * @param momentum        SGD's own momentum, in force only when cycling is off
 * @param dampening       SGD dampening
 * @param nesterov        Nesterov momentum
 * @param seed            seed of the weight initialisation and dropout
 * @param logEvery        print the mean loss every this many steps (the seed prints every 100)
 * @param divergence      when to call the run diverged and what to do then
 * @param checkpointEverySteps also checkpoint every this many steps (0: only at the end of each epoch)
 */
public record TrainingSettings(
        String runId,
        String sweep,
        TrainingPreset preset,
        ModelSpec model,
        int epochs,
        int scheduleEpochs,
        double maxLearningRate,
        double weightDecay,
        boolean cycleMomentum,
        double momentum,
        double dampening,
        boolean nesterov,
        long seed,
        int logEvery,
        DivergencePolicy divergence,
        int checkpointEverySteps) {
    public TrainingSettings {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(divergence, "divergence");
        if (!runId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("run id '" + runId + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (checkpointEverySteps < 0) {
            throw new IllegalArgumentException(
                    "checkpoint interval must be 0 (epochs only) or positive, got " + checkpointEverySteps);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (scheduleEpochs < epochs) {
            throw new IllegalArgumentException("the schedule spans " + scheduleEpochs + " epochs but the run trains "
                    + epochs + ": PyTorch's OneCycleLR refuses to step past its end");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            // torch.optim.SGD checks the momentum it is built with, before any schedule cycles it
            throw new IllegalArgumentException(
                    "Nesterov momentum requires a momentum and zero dampening (torch.optim.SGD's rule), got momentum "
                            + momentum + ", dampening " + dampening);
        }
        if (!(maxLearningRate > 0) || !(weightDecay >= 0) || !(momentum >= 0 && momentum < 1) || logEvery < 1) {
            throw new IllegalArgumentException("invalid hyperparameters: max learning rate " + maxLearningRate
                    + ", weight decay " + weightDecay + ", momentum " + momentum + ", log every " + logEvery);
        }
    }

    /** A preset's values for {@code epochs} epochs, before any override. */
    public static TrainingSettings of(String runId, TrainingPreset preset, String architecture, int epochs, long seed) {
        return new TrainingSettings(
                runId,
                null,
                preset,
                ModelSpec.of(architecture, preset.layout().id()),
                epochs,
                preset.scheduleEpochs(epochs),
                TrainingPreset.MAX_LEARNING_RATE,
                TrainingPreset.WEIGHT_DECAY,
                true,
                TrainingPreset.SGD_MOMENTUM,
                0,
                false,
                seed,
                100,
                DivergencePolicy.DEFAULT,
                0);
    }

    /**
     * A submitted spec resolved against its preset: each override the spec sets replaces the preset's value.
     * Unknown preset, model or layout names and inconsistent values fail here, with the spec's run id.
     */
    public static TrainingSettings resolve(RunSpec spec, int logEvery, DivergencePolicy divergence) {
        try {
            TrainingPreset preset = TrainingPreset.parse(spec.preset());
            TrainingSettings base =
                    of(spec.runId(), preset, spec.model(), spec.epochs(), spec.seed() == null ? 0 : spec.seed());
            ModelSpec model = spec.layout() == null ? base.model() : ModelSpec.of(spec.model(), spec.layout());
            return new TrainingSettings(
                    spec.runId(),
                    spec.sweep(),
                    preset,
                    model,
                    spec.epochs(),
                    or(spec.scheduleEpochs(), base.scheduleEpochs()),
                    or(spec.maxLearningRate(), base.maxLearningRate()),
                    or(spec.weightDecay(), base.weightDecay()),
                    or(spec.cycleMomentum(), base.cycleMomentum()),
                    or(spec.momentum(), base.momentum()),
                    or(spec.dampening(), base.dampening()),
                    or(spec.nesterov(), base.nesterov()),
                    base.seed(),
                    logEvery,
                    divergence,
                    or(spec.checkpointEverySteps(), 0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("run spec " + spec.runId() + ": " + e.getMessage(), e);
        }
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    public TrainingSettings withMaxLearningRate(double value) {
        return new TrainingSettings(
                runId,
                sweep,
                preset,
                model,
                epochs,
                scheduleEpochs,
                value,
                weightDecay,
                cycleMomentum,
                momentum,
                dampening,
                nesterov,
                seed,
                logEvery,
                divergence,
                checkpointEverySteps);
    }

    public TrainingSettings withLogEvery(int value) {
        return new TrainingSettings(
                runId,
                sweep,
                preset,
                model,
                epochs,
                scheduleEpochs,
                maxLearningRate,
                weightDecay,
                cycleMomentum,
                momentum,
                dampening,
                nesterov,
                seed,
                value,
                divergence,
                checkpointEverySteps);
    }

    public TrainingSettings withCheckpointEverySteps(int value) {
        return new TrainingSettings(
                runId,
                sweep,
                preset,
                model,
                epochs,
                scheduleEpochs,
                maxLearningRate,
                weightDecay,
                cycleMomentum,
                momentum,
                dampening,
                nesterov,
                seed,
                logEvery,
                divergence,
                value);
    }
}
