package dev.cifarpipeline.events.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The stopping rule on recorded result sequences. The cutoffs are numpy's ({@code np.quantile(values, 1 - 1/eta)},
 * Debian's python3-numpy), which is what Ray Tune's {@code AsyncHyperBandScheduler} holds a run to.
 */
class SuccessiveHalvingTest {
    @Test
    void rungsAreMinEpochsTimesPowersOfEtaBelowTheLastEpoch() {
        assertEquals(List.of(1, 3), new SuccessiveHalving(3, 1, 9).rungs());
        assertEquals(List.of(1, 3, 9), new SuccessiveHalving(3, 1, 10).rungs());
        assertEquals(List.of(2, 4, 8, 16), new SuccessiveHalving(2, 2, 20).rungs());
        assertEquals(List.of(), new SuccessiveHalving(3, 1, 1).rungs(), "a one-epoch run has no rung");
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(1, 1, 9));
        assertThrows(IllegalArgumentException.class, () -> new SuccessiveHalving(3, 0, 9));
    }

    @Test
    void eachRunIsHeldToTheQuantileOfTheRunsBeforeItAtItsRung() {
        SuccessiveHalving asha = new SuccessiveHalving(3, 1, 9);
        // np.quantile([0.5], 2/3) = 0.5; [0.5, 0.4] -> 0.46667; [0.5, 0.4, 0.6] -> 0.53333; [.5, .4, .6, .3] -> 0.5
        SuccessiveHalving.Decision first = asha.observe("a", 1, 0.5).orElseThrow();
        assertEquals(Optional.empty(), first.cutoff(), "the first run at a rung goes on");
        assertTrue(!first.stop());
        assertDecision(asha.observe("b", 1, 0.4), 0.5, 1, true);
        assertDecision(asha.observe("c", 1, 0.6), 0.4666667, 2, false);
        assertDecision(asha.observe("d", 1, 0.3), 0.5333333, 3, true);
        assertDecision(asha.observe("e", 1, 0.55), 0.5, 4, false);
        // the survivors at rung 3: a fresh field
        assertEquals(Optional.empty(), asha.observe("c", 3, 0.7).orElseThrow().cutoff());
        assertDecision(asha.observe("e", 3, 0.65), 0.7, 1, true);
        assertDecision(asha.observe("a", 3, 0.72), 0.6833333, 2, false);
    }

    @Test
    void aRunIsDecidedOnceAtEachRungAndNotBetweenRungs() {
        SuccessiveHalving asha = new SuccessiveHalving(3, 1, 9);
        assertTrue(asha.observe("a", 1, 0.5).isPresent());
        assertEquals(Optional.empty(), asha.observe("a", 1, 0.9), "a second result at the same epoch");
        assertEquals(Optional.empty(), asha.observe("a", 2, 0.9), "epoch 2 is no rung");
        assertEquals(Optional.empty(), asha.observe("a", 9, 0.9), "the last epoch is the end, no rung");
    }

    @Test
    void replayedDecisionsCountAsRecordedSoARestartedDeciderDecidesTheSame() {
        SuccessiveHalving before = new SuccessiveHalving(3, 1, 9);
        List<SuccessiveHalving.Decision> made = new ArrayList<>();
        double[] metrics = {0.61, 0.2, 0.33, 0.47, 0.52, 0.18, 0.9};
        for (int i = 0; i < 4; i++) {
            made.add(before.observe("r" + i, 1, metrics[i]).orElseThrow());
        }
        SuccessiveHalving after = new SuccessiveHalving(3, 1, 9);
        made.forEach(after::replay);
        for (int i = 4; i < metrics.length; i++) {
            assertEquals(before.observe("r" + i, 1, metrics[i]), after.observe("r" + i, 1, metrics[i]));
        }
    }

    @Test
    void eightRunsOfWhichHalfAreClearlyWorseMostlyStopAtTheFirstRung() {
        // a grid's runs reporting epoch 1 in submission order: the bad learning rates interleaved with good ones
        double[] accuracy = {0.80, 0.31, 0.83, 0.28, 0.79, 0.35, 0.86, 0.22};
        SuccessiveHalving asha = new SuccessiveHalving(3, 1, 9);
        int stopped = 0;
        for (int i = 0; i < accuracy.length; i++) {
            stopped += asha.observe("run" + i, 1, accuracy[i]).orElseThrow().stop() ? 1 : 0;
        }
        // numpy's cutoffs: run1 0.80 stops, run2 0.6367 goes on, run3 0.81 stops, run4 0.80 stops (0.79),
        // run5 0.7967 stops, run6 0.7933 goes on, run7 0.80 stops
        assertEquals(5, stopped, "more than half stopped at the first rung");
    }

    @Test
    void aDecisionReadsBackFromItsEventTextExactly() {
        SuccessiveHalving asha = new SuccessiveHalving(3, 1, 9);
        SuccessiveHalving.Decision first = asha.observe("a", 1, 0.1 + 0.2).orElseThrow();
        SuccessiveHalving.Decision cut = asha.observe("b", 1, 1.0 / 7).orElseThrow();
        assertEquals(Optional.of(first), SuccessiveHalving.Decision.parse("a", first.describe()));
        assertEquals(Optional.of(cut), SuccessiveHalving.Decision.parse("b", cut.describe()));
        assertTrue(cut.describe().endsWith("stopped early"), cut.describe());
        assertEquals(Optional.empty(), SuccessiveHalving.Decision.parse("a", "claimed by trainer t1"));
    }

    @Test
    void theQuantileIsNumpysLinearOne() {
        assertEquals(0.47, SuccessiveHalving.quantile(List.of(0.61, 0.2, 0.33, 0.47, 0.52, 0.18, 0.9), 0.5), 1e-12);
        assertEquals(0.5333333333333333, SuccessiveHalving.quantile(List.of(0.5, 0.4, 0.6), 2.0 / 3), 1e-12);
    }

    private static void assertDecision(
            Optional<SuccessiveHalving.Decision> d, double cutoff, int compared, boolean stop) {
        assertTrue(d.isPresent());
        assertEquals(cutoff, d.get().cutoff().orElseThrow(), 1e-6);
        assertEquals(compared, d.get().compared());
        assertEquals(stop, d.get().stop(), d.get().describe());
    }
}
