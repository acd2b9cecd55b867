package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.sweep.SweepDecider;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Early stopping's record for Prometheus: per sweep and rung, how many runs passed and how many were cut
 * ({@code trainer_sweep_rung_runs{sweep, rung, decision}}). Every trainer replays every decision from the events topic,
 * so each shows the same figures: dashboards take the {@code max} over trainers. Only the {@link #MAX_SWEEPS_SHOWN}
 * sweeps decided on last have series, so the scrape stays bounded however many sweeps there were.
 */
public final class SweepMeters {
    public static final String RUNG_RUNS = "trainer_sweep_rung_runs";

    public static final int MAX_SWEEPS_SHOWN = 50;

    private final MeterRegistry registry;
    /** By sweep, then by rung and decision ("passed", "cut"): the count its gauge reads. */
    private final Map<String, Map<String, AtomicInteger>> counts = new HashMap<>();

    private final Map<String, List<Meter>> meters = new HashMap<>();

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
