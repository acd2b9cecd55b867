package dev.cifarpipeline.evaluator.results;

import dev.cifarpipeline.events.EvaluationResult;
import java.util.ArrayList;
import java.util.HashSet;
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
    private final Map<String, List<EvaluationResult>> byRun = new TreeMap<>();
    private final Set<String> scored = new HashSet<>();

    /** Adds a result; a second one for the same checkpoint is ignored and reported false. */
    public synchronized boolean add(EvaluationResult result) {
        if (!scored.add(result.checkpointId())) {
            return false;
        }
        byRun.computeIfAbsent(result.runId(), r -> new ArrayList<>()).add(result);
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

    public synchronized Map<String, List<EvaluationResult>> snapshot() {
        Map<String, List<EvaluationResult>> copy = new TreeMap<>();
        byRun.forEach((run, results) -> copy.put(run, List.copyOf(results)));
        return copy;
    }
}
