package dev.cifarpipeline.trainer;

import dev.cifarpipeline.model.ModelSpec;
import java.util.Objects;

/**
 * What one training run does, independent of where its batches come from.
 *
 * @param runId           name of the run, in checkpoints, results and metrics
 * @param model           the network
 * @param epochs          epochs to train; the OneCycle schedule is sized to them
 * @param maxLearningRate OneCycle's peak learning rate
 * @param weightDecay     L2 weight decay of SGD
 * @param momentum        SGD momentum
 * @param seed            seed of the weight initialisation
 * @param logEvery        print the mean loss every this many steps (the seed prints every 100)
 */
public record TrainingSettings(String runId, ModelSpec model, int epochs, double maxLearningRate, double weightDecay,
                               double momentum, long seed, int logEvery) {
    public TrainingSettings {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(model, "model");
        if (!runId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("run id '" + runId + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (!(maxLearningRate > 0) || !(weightDecay >= 0) || !(momentum >= 0 && momentum < 1) || logEvery < 1) {
            throw new IllegalArgumentException("invalid hyperparameters: max learning rate " + maxLearningRate
                    + ", weight decay " + weightDecay + ", momentum " + momentum + ", log every " + logEvery);
        }
    }
}
