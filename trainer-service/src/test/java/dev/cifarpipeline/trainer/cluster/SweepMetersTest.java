package dev.cifarpipeline.trainer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cifarpipeline.events.sweep.SweepDecider.RungTally;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepMetersTest {
    private static double rungRuns(SimpleMeterRegistry registry, String sweep, int rung, String decision) {
        Gauge g = registry.find(SweepMeters.RUNG_RUNS)
                .tag("sweep", sweep)
                .tag("rung", Integer.toString(rung))
                .tag("decision", decision)
                .gauge();
        return g == null ? Double.NaN : g.value();
    }

    @Test
    void eachRungShowsHowManyRunsPassedAndHowManyWereCut() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SweepMeters meters = new SweepMeters(registry);
        meters.show(List.of(new RungTally("s", 1, 1, 0)));
        meters.show(List.of(new RungTally("s", 1, 2, 3), new RungTally("s", 3, 1, 1)));
        assertEquals(2, rungRuns(registry, "s", 1, "passed"));
        assertEquals(3, rungRuns(registry, "s", 1, "cut"));
        assertEquals(1, rungRuns(registry, "s", 3, "cut"));
        assertEquals(4, registry.find(SweepMeters.RUNG_RUNS).gauges().size());
    }

    @Test
    void onlyTheSweepsDecidedOnMostRecentlyHaveSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SweepMeters meters = new SweepMeters(registry);
        List<RungTally> tallies = new ArrayList<>();
        for (int i = 0; i <= SweepMeters.MAX_SWEEPS_SHOWN; i++) {
            tallies.add(new RungTally("s" + i, 1, 1, 0));
            meters.show(tallies);
        }
        assertNull(registry.find(SweepMeters.RUNG_RUNS).tag("sweep", "s0").gauge(), "the first sweep's went");
        assertEquals(1, rungRuns(registry, "s" + SweepMeters.MAX_SWEEPS_SHOWN, 1, "passed"));
        assertEquals(
                2 * SweepMeters.MAX_SWEEPS_SHOWN,
                registry.find(SweepMeters.RUNG_RUNS).gauges().size());
    }

    @Test
    void eachRunShowsItsValuesAndARunWhoseValuesReadDifferentlyNowHasOnlyItsNewSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SweepMeters meters = new SweepMeters(registry);
        meters.showValues(Map.of("s", Map.of("s-1", Map.of())));
        assertEquals(
                1,
                registry.find(SweepMeters.RUN_VALUES)
                        .tag("values", "-")
                        .gauges()
                        .size());
        meters.showValues(
                Map.of("s", Map.of("s-1", Map.of("maxLearningRate", 0.05), "s-2", Map.of("maxLearningRate", 0.2))));
        assertEquals(
                1.0,
                registry.find(SweepMeters.RUN_VALUES)
                        .tags("sweep", "s", "run", "s-1", "values", "maxLearningRate=0.05")
                        .gauge()
                        .value());
        assertEquals(2, registry.find(SweepMeters.RUN_VALUES).gauges().size(), "s-1's '-' went");
        meters.showValues(Map.of());
        assertNull(registry.find(SweepMeters.RUN_VALUES).gauge(), "a sweep no longer kept has no series");
    }
}
