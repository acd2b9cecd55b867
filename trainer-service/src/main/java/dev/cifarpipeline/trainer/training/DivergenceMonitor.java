package dev.cifarpipeline.trainer.training;

import java.util.Optional;

/** Watches the loss step by step and reports, once, why a run diverged. */
public final class DivergenceMonitor {
    public static final double CHANCE_LOSS = Math.log(10);

    private final DivergencePolicy policy;
    private int stuck;
    private boolean diverged;

    public DivergenceMonitor(DivergencePolicy policy) {
        this.policy = policy;
    }

    /** Observes one step; returns the reason the first time the run counts as diverged. */
    public Optional<String> observe(long step, double loss, double meanLoss) {
        if (diverged) {
            return Optional.empty();
        }
        if (!Double.isFinite(loss)) {
            diverged = true;
            return Optional.of("loss is " + loss + " at step " + step);
        }
        stuck = Math.abs(meanLoss - CHANCE_LOSS) <= policy.tolerance() ? stuck + 1 : 0;
        if (stuck >= policy.stuckSteps()) {
            diverged = true;
            return Optional.of(String.format(
                    "mean loss %.4f has stayed within %.2f of ln 10 (chance) for %d steps, up to step %d",
                    meanLoss, policy.tolerance(), stuck, step));
        }
        return Optional.empty();
    }

    public boolean diverged() {
        return diverged;
    }
}
