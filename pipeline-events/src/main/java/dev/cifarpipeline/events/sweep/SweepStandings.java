package dev.cifarpipeline.events.sweep;

import java.util.Map;
import java.util.Optional;

/**
 * Which run of a sweep won: the one rule that {@code bin/pipeline sweep}'s report and the evaluator's
 * {@code POST /evaluator/predict?sweep=} both apply, so the page and the service never name different winners.
 */
public final class SweepStandings {
    private SweepStandings() {}

    /**
     * The run with the highest best test accuracy; on a tie the run submitted first (the lowest run id: a sweep's run
     * numbers are zero-padded, so they sort as submitted). Runs without a score (null or NaN) never win.
     */
    public static Optional<String> winner(Map<String, Double> bestAccuracyByRun) {
        String winner = null;
        double best = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : bestAccuracyByRun.entrySet()) {
            Double a = e.getValue();
            if (a == null || a.isNaN()) {
                continue;
            }
            if (winner == null || a > best || (a == best && e.getKey().compareTo(winner) < 0)) {
                winner = e.getKey();
                best = a;
            }
        }
        return Optional.ofNullable(winner);
    }
}
