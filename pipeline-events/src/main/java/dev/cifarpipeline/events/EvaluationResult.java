package dev.cifarpipeline.events;

import java.util.List;
import java.util.Objects;

/**
 * The score of one checkpoint on the whole test set, published once per checkpoint.
 *
 * @param schemaVersion     version of this event's schema (2 added model, layout, per-class accuracy, confusion matrix;
 *                          3 added sweep)
 * @param runId             the training run
 * @param sweep             the sweep the run belongs to, from its checkpoint's manifest; null for a run of its own
 * @param checkpointId      the checkpoint scored
 * @param model             its architecture (vgg11, …)
 * @param layout            its layout (seed or batchnorm)
 * @param epoch             number of epochs the checkpoint had completed
 * @param step              optimizer steps the checkpoint had taken
 * @param accuracy          fraction of test images classified correctly, 0–1
 * @param meanLoss          mean cross-entropy over the test images
 * @param perClassAccuracy  per class in label order ({@link ImageGeometry#CLASS_NAMES}); null for a class absent from the test set
 * @param confusion         {@code confusion[label][predicted]}, image counts
 * @param testImages        how many test images were scored
 * @param scoringSeconds    wall time of the scoring pass
 * @param checkpointAtMillis when the trainer took the checkpoint, Unix epoch milliseconds
 * @param evaluatedAtMillis when the score was computed, Unix epoch milliseconds
 */
public record EvaluationResult(
        int schemaVersion,
        String runId,
        String sweep,
        String checkpointId,
        String model,
        String layout,
        int epoch,
        long step,
        double accuracy,
        double meanLoss,
        List<Double> perClassAccuracy,
        int[][] confusion,
        int testImages,
        double scoringSeconds,
        long checkpointAtMillis,
        long evaluatedAtMillis) {
    public static final int SCHEMA_VERSION = 3;

    public EvaluationResult {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(checkpointId, "checkpointId");
        Objects.requireNonNull(perClassAccuracy, "perClassAccuracy");
        Objects.requireNonNull(confusion, "confusion");
        if (sweep != null && !sweep.matches(RunSpec.RUN_ID)) {
            throw new IllegalArgumentException("sweep '" + sweep + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (!(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("accuracy " + accuracy + " is outside 0..1");
        }
        if (perClassAccuracy.size() != ImageGeometry.CLASSES || confusion.length != ImageGeometry.CLASSES) {
            throw new IllegalArgumentException("per-class figures need " + ImageGeometry.CLASSES + " classes");
        }
    }

    public byte[] toJson() {
        return EventJson.write(this);
    }

    public static EvaluationResult fromJson(byte[] json) {
        return EventJson.readAdding(json, EvaluationResult.class, "sweep");
    }
}
