package dev.cifarpipeline.trainer.training;

/**
 * When a run counts as diverged: a loss that is NaN or infinite, or a mean loss (over the last 100 steps)
 * stuck within {@code tolerance} of ln 10 — what a 10-class net outputs when it has collapsed to chance — for
 * {@code stuckSteps} consecutive steps. The seed's own recipe does exactly that after its 20th epoch.
 *
 * @param stuckSteps       consecutive steps at ln 10 that mean divergence
 * @param tolerance        how close to ln 10 counts as stuck
 * @param stopOnDivergence stop the run (the default), or log, flag and go on
 */
public record DivergencePolicy(int stuckSteps, double tolerance, boolean stopOnDivergence) {
    public static final DivergencePolicy DEFAULT = new DivergencePolicy(2000, 0.01, true);

    public DivergencePolicy {
        if (stuckSteps < 1 || !(tolerance > 0)) {
            throw new IllegalArgumentException(
                    "divergence needs stuck steps ≥ 1 and a positive tolerance, got " + stuckSteps + ", " + tolerance);
        }
    }
}
