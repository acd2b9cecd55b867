package dev.cifarpipeline.events.sweep;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Asynchronous successive halving (ASHA, Li et al. 2018), in its stopping form as Ray Tune's
 * {@code AsyncHyperBandScheduler} applies it: rungs at {@code minEpochs}, {@code minEpochs·η}, {@code minEpochs·η²}, …
 * epochs (below the runs' last epoch); when a run reaches a rung, it goes on only if its metric is not below the
 * {@code 1 − 1/η} quantile of the metrics recorded at that rung by the runs that reached it before (numpy's linear
 * quantile); the first run at a rung always goes on. Every observation is then recorded. Nothing waits for slower
 * runs, which is what makes it asynchronous; the price is that early arrivals face a weaker field.
 *
 * <p>Deterministic: the same observations in the same order give the same decisions; {@link #replay} feeds back
 * decisions already made (after a restart) without deciding again.
 */
public final class SuccessiveHalving {
    /**
     * One run's fate at one rung.
     *
     * @param metric   its metric there (higher is better: test accuracy)
     * @param cutoff   the quantile it was held to; empty for the first run at the rung
     * @param compared how many earlier runs' metrics the cutoff came from
     */
    public record Decision(String run, int rung, double metric, Optional<Double> cutoff, int compared, boolean stop) {
        /**
         * In words, with every figure in full, for the run's RUNG_PASSED or RUNG_CUT event: the events topic is the
         * record of the sweep's decisions, and {@link #parse} reads them back.
         */
        public String describe() {
            return "ASHA rung " + rung + ": test accuracy " + metric + (stop ? " is below" : " is not below")
                    + " cutoff " + cutoff.map(String::valueOf).orElse("none") + " from " + compared
                    + " earlier run(s): " + (stop ? "stopped early" : "goes on");
        }

        private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile(
                "^ASHA rung (\\d+): test accuracy (\\S+) is (?:not )?below cutoff (\\S+) from (\\d+) earlier run\\(s\\): "
                        + "(stopped early|goes on)$");

        /** A decision as {@link #describe} wrote it for {@code run}; empty for any other text. */
        public static Optional<Decision> parse(String run, String text) {
            java.util.regex.Matcher m = FORM.matcher(text);
            if (!m.matches()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Decision(
                        run,
                        Integer.parseInt(m.group(1)),
                        Double.parseDouble(m.group(2)),
                        m.group(3).equals("none") ? Optional.empty() : Optional.of(Double.parseDouble(m.group(3))),
                        Integer.parseInt(m.group(4)),
                        m.group(5).equals("stopped early")));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    private final int eta;
    private final List<Integer> rungs;
    /** By rung: each run's metric there, in the order they came. */
    private final Map<Integer, Map<String, Double>> recorded = new TreeMap<>();

    /**
     * @param eta       the reduction factor η (at least 2): the top 1/η of each rung go on
     * @param minEpochs the first rung (at least 1)
     * @param maxEpochs the runs' epochs: no rung at or beyond it (a run there has finished)
     */
    public SuccessiveHalving(int eta, int minEpochs, int maxEpochs) {
        if (eta < 2) {
            throw new IllegalArgumentException("ASHA's reduction factor must be at least 2, got " + eta);
        }
        if (minEpochs < 1) {
            throw new IllegalArgumentException("ASHA's first rung must be at least 1 epoch, got " + minEpochs);
        }
        this.eta = eta;
        List<Integer> r = new ArrayList<>();
        for (long at = minEpochs; at < maxEpochs; at *= eta) {
            r.add((int) at);
        }
        this.rungs = List.copyOf(r);
    }

    public List<Integer> rungs() {
        return rungs;
    }

    public int eta() {
        return eta;
    }

    /**
     * A run's metric after {@code epochs} epochs: its decision if that is a rung it has not been decided at yet,
     * empty otherwise (not a rung, or decided already).
     */
    public Optional<Decision> observe(String run, int epochs, double metric) {
        if (!rungs.contains(epochs)) {
            return Optional.empty();
        }
        Map<String, Double> atRung = recorded.computeIfAbsent(epochs, e -> new LinkedHashMap<>());
        if (atRung.containsKey(run)) {
            return Optional.empty();
        }
        Optional<Double> cutoff = atRung.isEmpty()
                ? Optional.empty()
                : Optional.of(quantile(new ArrayList<>(atRung.values()), 1 - 1.0 / eta));
        Decision d =
                new Decision(run, epochs, metric, cutoff, atRung.size(), cutoff.isPresent() && metric < cutoff.get());
        atRung.put(run, metric);
        return Optional.of(d);
    }

    /** A decision made before (read back from the events topic): recorded, not decided again. */
    public void replay(Decision decision) {
        recorded.computeIfAbsent(decision.rung(), e -> new LinkedHashMap<>())
                .putIfAbsent(decision.run(), decision.metric());
    }

    /** numpy's default ({@code linear}) quantile: interpolates between the two order statistics around q·(n−1). */
    static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double pos = q * (sorted.size() - 1);
        int lower = (int) Math.floor(pos);
        int upper = Math.min(lower + 1, sorted.size() - 1);
        return sorted.get(lower) + (pos - lower) * (sorted.get(upper) - sorted.get(lower));
    }
}
