package dev.cifarpipeline.events;

import java.util.Objects;

/**
 * The score of one checkpoint on the whole test set, published once per checkpoint.
 *
 * @param schemaVersion   version of this event's schema
 * @param runId           the training run
 * @param checkpointId    the checkpoint scored
 * @param epoch           1-based number of epochs the checkpoint had trained
 * @param step            optimizer steps the checkpoint had taken
 * @param accuracy        fraction of test images classified correctly, 0–1
 * @param meanLoss        mean cross-entropy over the test images
 * @param testImages      how many test images were scored
 * @param scoringSeconds  wall time of the scoring pass
 * @param evaluatedAtMillis when the score was computed, Unix epoch milliseconds
 */
public record EvaluationResult(int schemaVersion, String runId, String checkpointId, int epoch, long step,
                               double accuracy, double meanLoss, int testImages, double scoringSeconds,
                               long evaluatedAtMillis) {
    public static final int SCHEMA_VERSION = 1;

    public EvaluationResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(checkpointId, "checkpointId");
        if (accuracy < 0 || accuracy > 1) {
            throw new IllegalArgumentException("accuracy " + accuracy + " is outside 0..1");
        }
    }

    public byte[] toJson() {
        return EventJson.write(this);
    }

    public static EvaluationResult fromJson(byte[] json) {
        return EventJson.read(json, EvaluationResult.class);
    }
}
