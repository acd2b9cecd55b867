package dev.cifarpipeline.evaluator.results;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.sweep.SweepStandings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every result on the results topic, whichever evaluator published it, per run in publication order: what
 * {@code GET /evaluator/runs} shows, what tells a run's best checkpoint, and what keeps a checkpoint from being
 * scored twice (a result on the topic means it was scored, even by an evaluator that died right after).
 */
public final class ResultBook {
    /**
     * How many runs' results are kept for the API and best models; beyond it the run whose latest result is oldest is
     * forgotten here (its results stay on the topic).
     */
    public static final int MAX_RUNS = 1000;

    /**
     * How many scored checkpoint ids are remembered, to score none twice: far more than the runs kept (a few dozen
     * bytes each), so a checkpoint read again after a restart or a takeover is still known long after its run's
     * results were let go.
     */
    public static final int MAX_SCORED_IDS = 500_000;

    /** Least recently added to first. */
    private final Map<String, List<EvaluationResult>> byRun = new LinkedHashMap<>();

    /** Oldest first. */
    private final Set<String> scored = new LinkedHashSet<>();

    /** The runs of each sweep (as their results name it) whose results are kept, by run id. */
    private final Map<String, Set<String>> runsBySweep = new HashMap<>();

    private final int maxRuns;
    private final int maxScoredIds;

    public ResultBook() {
        this(MAX_RUNS, MAX_SCORED_IDS);
    }

    ResultBook(int maxRuns, int maxScoredIds) {
        this.maxRuns = maxRuns;
        this.maxScoredIds = maxScoredIds;
    }

    /** Adds a result; a second one for the same checkpoint is ignored and reported false. */
    public synchronized boolean add(EvaluationResult result) {
        if (!scored.add(result.checkpointId())) {
            return false;
        }
        List<EvaluationResult> results = byRun.remove(result.runId()); // re-inserted: the run is now the latest
        if (results == null) {
            results = new ArrayList<>();
        }
        results.add(result);
        byRun.put(result.runId(), results);
        if (result.sweep() != null) {
            runsBySweep.computeIfAbsent(result.sweep(), s -> new TreeSet<>()).add(result.runId());
        }
        var eldest = byRun.entrySet().iterator();
        while (byRun.size() > maxRuns) {
            var gone = eldest.next();
            eldest.remove();
            for (EvaluationResult r : gone.getValue()) { // every sweep its results named, whatever a producer wrote
                Set<String> runs = r.sweep() == null ? null : runsBySweep.get(r.sweep());
                if (runs != null) {
                    runs.remove(gone.getKey());
                    if (runs.isEmpty()) {
                        runsBySweep.remove(r.sweep());
                    }
                }
            }
        }
        var oldest = scored.iterator();
        while (scored.size() > maxScoredIds) {
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    public synchronized boolean contains(String checkpointId) {
        return scored.contains(checkpointId);
    }

    /** The run's best checkpoint: highest accuracy, the later one on a tie. */
    public synchronized Optional<EvaluationResult> best(String runId) {
        EvaluationResult best = null;
        for (EvaluationResult r : byRun.getOrDefault(runId, List.of())) {
            if (best == null || r.accuracy() >= best.accuracy()) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Each run of the sweep with results, by run id: its best checkpoint's result. Empty for an unknown sweep. */
    public synchronized Map<String, EvaluationResult> sweepBests(String sweep) {
        Map<String, EvaluationResult> out = new TreeMap<>();
        for (String run : runsBySweep.getOrDefault(sweep, Set.of())) {
            best(run).ifPresent(b -> out.put(run, b));
        }
        return out;
    }

    /** The sweep's winner ({@link SweepStandings#winner}): its best checkpoint's result; empty before any result. */
    public synchronized Optional<EvaluationResult> sweepWinner(String sweep) {
        return winner(sweepBests(sweep));
    }

    /** The winner among runs' best results ({@link #sweepBests}), by {@link SweepStandings#winner}. */
    public static Optional<EvaluationResult> winner(Map<String, EvaluationResult> bests) {
        Map<String, Double> accuracy = new TreeMap<>();
        bests.forEach((run, r) -> accuracy.put(run, r.accuracy()));
        return SweepStandings.winner(accuracy).map(bests::get);
    }

    public synchronized Map<String, List<EvaluationResult>> snapshot() {
        Map<String, List<EvaluationResult>> copy = new TreeMap<>();
        for (Map.Entry<String, List<EvaluationResult>> e : byRun.entrySet()) {
            copy.put(e.getKey(), List.copyOf(e.getValue()));
        }
        return copy;
    }
}
