package dev.cifarpipeline.evaluator.scoring;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.TrainingCheckpoint;

/**
 * Turns a verified checkpoint into its result: checks that this evaluator can read it (format, model), loads
 * the weights, scores them on the test set. A checkpoint it cannot use fails with a
 * {@link RecordFormatException} or {@link IllegalArgumentException} naming why, before anything is scored.
 */
public final class CheckpointEvaluator {
    /** A scored checkpoint: its result, and what the best-model export needs. */
    public record Evaluated(EvaluationResult result, ModelSpec spec, byte[] weights) {}

    private final CheckpointScorer scorer;

    public CheckpointEvaluator(CheckpointScorer scorer) {
        this.scorer = scorer;
    }

    public Evaluated evaluate(VerifiedCheckpoint checkpoint, TestSet testSet) {
        CheckpointManifest m = checkpoint.manifest();
        if (!TrainingCheckpoint.FORMAT.equals(m.format())) {
            throw new RecordFormatException("checkpoint " + m.checkpointId() + " has format '" + m.format()
                    + "', this evaluator reads " + TrainingCheckpoint.FORMAT);
        }
        ModelSpec spec = ModelSpec.of(m.model(), m.layout());
        byte[] weights = TrainingCheckpoint.decode(checkpoint.bytes()).weights();
        Score score = scorer.score(spec, weights, testSet);
        EvaluationResult result = new EvaluationResult(
                EvaluationResult.SCHEMA_VERSION,
                m.runId(),
                m.sweep(),
                m.checkpointId(),
                spec.architecture().id(),
                spec.layout().id(),
                m.epoch(),
                m.step(),
                score.accuracy(),
                score.meanLoss(),
                score.perClassAccuracy(),
                score.confusion(),
                score.images(),
                score.seconds(),
                m.createdAtMillis(),
                System.currentTimeMillis());
        return new Evaluated(result, spec, weights);
    }
}
