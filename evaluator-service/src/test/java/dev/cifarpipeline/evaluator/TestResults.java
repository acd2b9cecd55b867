package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.EvaluationResult;
import java.util.Collections;

/** Evaluation results for tests: one run's checkpoint at an accuracy, every other figure plausible. */
public final class TestResults {
    private TestResults() {}

    /** A result of {@code run} (of {@code sweep}, or none when null) for {@code checkpoint}. */
    public static EvaluationResult of(String run, String sweep, String checkpoint, double accuracy) {
        return new EvaluationResult(
                EvaluationResult.SCHEMA_VERSION,
                run,
                sweep,
                checkpoint,
                "vgg11",
                "batchnorm",
                1,
                10,
                accuracy,
                1.0,
                Collections.nCopies(10, accuracy),
                new int[10][10],
                100,
                1.0,
                System.currentTimeMillis(),
                System.currentTimeMillis());
    }
}
