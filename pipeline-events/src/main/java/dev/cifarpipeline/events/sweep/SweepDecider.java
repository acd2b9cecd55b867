package dev.cifarpipeline.events.sweep;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.TrainingEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Early stopping for every sweep a trainer sees, from what Kafka says: run specs (which runs share a sweep, and its η),
 * the runs' rung decisions on the events topic (RUNG_PASSED, RUNG_CUT: the sweeps' record, replayed into each
 * sweep's {@link SuccessiveHalving}), and the evaluator's results of the runs this trainer trains, which it decides
 * on. Framework-free: the trainer's {@code SweepSupervisor} feeds it records and acts on what it returns.
 */
public final class SweepDecider {
    private record Member(String sweep, int eta, int epochs) {}

    /** How many of a sweep's runs passed and how many were cut at one rung, by the decisions on the events topic. */
    public record RungTally(String sweep, int rung, int passed, int cut) {}

    /** By sweep (the sweep decided on last, last), by rung: each run's decision there (true: cut). */
    private final Map<String, Map<Integer, Map<String, Boolean>>> decisions = new LinkedHashMap<>();

    private long changes;

    private final Map<String, Member> runs = new HashMap<>();
    private final Map<String, SuccessiveHalving> sweeps = new HashMap<>();
    /** Rung events read before their run's spec: replayed once it comes. */
    private final Map<String, List<TrainingEvent>> early = new HashMap<>();

    /** A run spec as read from its topic; only runs of a sweep with early stopping matter. */
    public void spec(RunSpec spec) {
        if (spec.sweep() == null || spec.ashaEta() == null || runs.containsKey(spec.runId())) {
            return;
        }
        runs.put(spec.runId(), new Member(spec.sweep(), spec.ashaEta(), spec.epochs()));
        sweeps.computeIfAbsent(spec.sweep(), s -> new SuccessiveHalving(spec.ashaEta(), 1, Integer.MAX_VALUE));
        for (TrainingEvent e : early.getOrDefault(spec.runId(), List.of())) {
            event(e);
        }
        early.remove(spec.runId());
    }

    /**
     * A training event: a rung decision is recorded (made by whichever trainer held the run then). Returns it when it
     * cut the run, which the run's trainer must then stop if it still trains it (the cut was published, but the
     * trainer that published it may have died before stopping).
     */
    public Optional<SuccessiveHalving.Decision> event(TrainingEvent e) {
        if (e.type() != TrainingEvent.Type.RUNG_PASSED && e.type() != TrainingEvent.Type.RUNG_CUT) {
            return Optional.empty();
        }
        Member m = runs.get(e.runId());
        if (m == null) {
            early.computeIfAbsent(e.runId(), r -> new ArrayList<>()).add(e);
            return Optional.empty();
        }
        SuccessiveHalving asha = sweeps.get(m.sweep());
        // a decision at no rung of the run's sweep was not made by this rule: ignored, so a stray event cannot add
        // rungs
        Optional<SuccessiveHalving.Decision> d = SuccessiveHalving.Decision.parse(e.runId(), e.message())
                .filter(x -> asha.rungs().contains(x.rung()) && x.rung() < m.epochs());
        d.ifPresent(x -> {
            asha.replay(x);
            Map<Integer, Map<String, Boolean>> rungs = decisions.remove(m.sweep());
            rungs = rungs == null ? new TreeMap<>() : rungs;
            Boolean before =
                    rungs.computeIfAbsent(x.rung(), r -> new TreeMap<>()).put(x.run(), x.stop());
            decisions.put(m.sweep(), rungs); // now the sweep decided on last
            if (before == null || before != x.stop()) {
                changes++;
            }
        });
        return d.filter(SuccessiveHalving.Decision::stop);
    }

    /** How many times the tallies changed: a reader shows them again only when this moved. */
    public long changes() {
        return changes;
    }

    /**
     * Every sweep's rungs with decisions, the sweep decided on last last, rungs ascending: what the events topic says
     * each rung passed and cut.
     */
    public List<RungTally> tallies() {
        List<RungTally> out = new ArrayList<>();
        decisions.forEach((sweep, rungs) -> rungs.forEach((rung, runs) -> {
            int cut = (int) runs.values().stream().filter(Boolean::booleanValue).count();
            out.add(new RungTally(sweep, rung, runs.size() - cut, cut));
        }));
        return out;
    }

    /**
     * The test accuracy of run {@code run} after {@code epochs} epochs, for a run this trainer trains: its decision
     * when that is a rung of its sweep below its last epoch that no decision covers yet.
     */
    public Optional<SuccessiveHalving.Decision> result(String run, int epochs, double accuracy) {
        Member m = runs.get(run);
        if (m == null || epochs >= m.epochs()) {
            return Optional.empty();
        }
        return sweeps.get(m.sweep()).observe(run, epochs, accuracy);
    }
}
