package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.sweep.SweepDecider;
import dev.cifarpipeline.events.sweep.SweepValues;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Early stopping's record for Prometheus: per sweep and rung, how many runs passed and how many were cut
 * ({@code trainer_sweep_rung_runs{sweep, rung, decision}}). Every trainer replays every decision from the events topic,
 * so each shows the same figures: dashboards take the {@code max} over trainers. Only the {@link #MAX_SWEEPS_SHOWN}
 * sweeps decided on last have series, so the scrape stays bounded however many sweeps there were. And what tells
 * a sweep's runs apart ({@code trainer_sweep_run_values_info{sweep, run, values}}, 1), for the leaderboard beside
 * each run's scores: every trainer reads every spec, so each shows them all, for the sweeps submitted last.
 */
public final class SweepMeters {
    public static final String RUNG_RUNS = "trainer_sweep_rung_runs";

    public static final String RUN_VALUES = "trainer_sweep_run_values_info";

    public static final int MAX_SWEEPS_SHOWN = 50;

    private final MeterRegistry registry;
    /** By sweep, then by rung and decision ("passed", "cut"): the count its gauge reads. */
    private final Map<String, Map<String, AtomicInteger>> counts = new HashMap<>();

    private final Map<String, List<Meter>> meters = new HashMap<>();

    /** The runs' values series, by sweep, run and label. */
    private final Map<List<String>, Meter> valueMeters = new HashMap<>();

    public SweepMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The decider's tallies now ({@link SweepDecider#tallies}, the sweep decided on last, last). */
    public synchronized void show(List<SweepDecider.RungTally> tallies) {
        Set<String> sweeps = new LinkedHashSet<>();
        tallies.forEach(t -> sweeps.add(t.sweep()));
        Set<String> shown = new LinkedHashSet<>(
                new ArrayList<>(sweeps).subList(Math.max(0, sweeps.size() - MAX_SWEEPS_SHOWN), sweeps.size()));
        for (String gone : new ArrayList<>(counts.keySet())) {
            if (!shown.contains(gone)) {
                counts.remove(gone);
                meters.remove(gone).forEach(registry::remove);
            }
        }
        for (SweepDecider.RungTally t : tallies) {
            if (shown.contains(t.sweep())) {
                set(t.sweep(), t.rung(), "passed", t.passed());
                set(t.sweep(), t.rung(), "cut", t.cut());
            }
        }
    }

    /**
     * Each sweep's runs with their values ({@link SweepValues#values}, the sweeps it keeps): one series per run; a run
     * whose values read differently now (its sweep's second run showed what varies) gets its new series in place of
     * the old.
     */
    public synchronized void showValues(Map<String, Map<String, Map<String, Object>>> values) {
        Set<List<String>> wanted = new HashSet<>();
        values.forEach((sweep, runs) -> runs.forEach((run, v) -> {
            List<String> key = List.of(sweep, run, SweepValues.describe(v));
            wanted.add(key);
            valueMeters.computeIfAbsent(
                    key,
                    k -> Gauge.builder(RUN_VALUES, () -> 1)
                            .tag("sweep", sweep)
                            .tag("run", run)
                            .tag("values", k.get(2))
                            .description(
                                    "A sweep's run and its values of the keys that differ between the sweep's runs")
                            .register(registry));
        }));
        valueMeters.entrySet().removeIf(e -> {
            if (wanted.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue());
            return true;
        });
    }

    private void set(String sweep, int rung, String decision, int value) {
        Map<String, AtomicInteger> bySweep = counts.computeIfAbsent(sweep, s -> new HashMap<>());
        AtomicInteger count = bySweep.get(rung + "/" + decision);
        if (count == null) {
            count = new AtomicInteger();
            bySweep.put(rung + "/" + decision, count);
            meters.computeIfAbsent(sweep, s -> new ArrayList<>())
                    .add(Gauge.builder(RUNG_RUNS, count, AtomicInteger::get)
                            .tag("sweep", sweep)
                            .tag("rung", Integer.toString(rung))
                            .tag("decision", decision)
                            .description("Runs of a sweep that passed or were cut (ASHA) at a rung, in epochs")
                            .register(registry));
        }
        count.set(value);
    }
}
