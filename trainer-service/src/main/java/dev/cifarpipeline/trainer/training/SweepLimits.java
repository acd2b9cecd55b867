package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.events.RunSpec;
import java.util.List;

/**
 * How much one sweep may ask ({@code trainer.limits.max-sweep-runs}, {@code .max-sweep-epochs}), on top of each run's
 * own {@link RunLimits}: a search space is a product, and a few keys with a few values each make hundreds of runs.
 * Checked on the size before any run is made, then on the runs' epochs.
 */
public record SweepLimits(int maxRuns, int maxTotalEpochs) {
    /** Throws {@link IllegalArgumentException} naming the limit a sweep of {@code size} runs is beyond. */
    public void checkSize(String sweepId, long size) {
        if (size > maxRuns) {
            throw new IllegalArgumentException("sweep " + sweepId + " has " + size + " runs, beyond this trainer's "
                    + "limit of " + maxRuns + " (trainer.limits.max-sweep-runs)");
        }
    }

    /** Throws {@link IllegalArgumentException} when the runs' epochs together are beyond the limit. */
    public void checkEpochs(String sweepId, List<RunSpec> runs) {
        long total = runs.stream().mapToLong(RunSpec::epochs).sum();
        if (total > maxTotalEpochs) {
            throw new IllegalArgumentException("sweep " + sweepId + " trains " + total + " epochs in all, beyond this "
                    + "trainer's limit of " + maxTotalEpochs + " (trainer.limits.max-sweep-epochs)");
        }
    }
}
