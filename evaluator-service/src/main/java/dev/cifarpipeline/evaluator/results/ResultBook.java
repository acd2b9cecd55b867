package dev.cifarpipeline.evaluator.results;

import dev.cifarpipeline.events.EvaluationResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every result on the results topic, whichever evaluator published it, per run in publication order: what
 * {@code GET /evaluator/runs} shows, what tells a run's best checkpoint, and what keeps a checkpoint from being
 * scored twice (a result on the topic means it was scored, even by an evaluator that died right after).
 */
public final class ResultBook {
    /**
     * How many runs' results are kept; beyond it the run whose latest result is oldest is forgotten here (its
     * results stay on the topic). Its checkpoints were committed past long before, so no reader meets them again.
     */
    public static final int MAX_RUNS = 1000;

    /** Least recently added to first. */
    private final Map<String, List<EvaluationResult>> byRun = new LinkedHashMap<>(16, 0.75f, true);

    private final Set<String> scored = new HashSet<>();
    private final int maxRuns;

    public ResultBook() {
        this(MAX_RUNS);
    }

    ResultBook(int maxRuns) {
        this.maxRuns = maxRuns;
    }

    /** Adds a result; a second one for the same checkpoint is ignored and reported false. */
    public synchronized boolean add(EvaluationResult result) {
        if (!scored.add(result.checkpointId())) {
            return false;
        }
        byRun.computeIfAbsent(result.runId(), r -> new ArrayList<>()).add(result);
        var eldest = byRun.entrySet().iterator();
        while (byRun.size() > maxRuns) {
            eldest.next().getValue().forEach(r -> scored.remove(r.checkpointId()));
            eldest.remove();
        }
        return true;
    }

    public synchronized boolean contains(String checkpointId) {
        return scored.contains(checkpointId);
    }

    /** The run's best checkpoint: highest accuracy, the later one on a tie. */
    public synchronized Optional<EvaluationResult> best(String runId) {
        EvaluationResult best = null;
        List<EvaluationResult> results = byRun.containsKey(runId) ? byRun.get(runId) : List.of();
        for (EvaluationResult r : results) {
            if (best == null || r.accuracy() >= best.accuracy()) {
                best = r;
            }
        }
        return Optional.ofNullable(best);
    }

    public synchronized Map<String, List<EvaluationResult>> snapshot() {
        Map<String, List<EvaluationResult>> copy = new TreeMap<>();
        for (Map.Entry<String, List<EvaluationResult>> e : byRun.entrySet()) {
            copy.put(e.getKey(), List.copyOf(e.getValue()));
        }
        return copy;
    }
}
