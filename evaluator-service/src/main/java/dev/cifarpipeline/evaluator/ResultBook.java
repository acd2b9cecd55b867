package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.EvaluationResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every result this evaluator published, per run in scoring order, for {@code GET /evaluator/results}. */
@ApplicationScoped
public class ResultBook {
    private final Map<String, List<EvaluationResult>> byRun = new TreeMap<>();

    public synchronized void add(EvaluationResult result) {
        byRun.computeIfAbsent(result.runId(), r -> new ArrayList<>()).add(result);
    }

    public synchronized Map<String, List<EvaluationResult>> snapshot() {
        Map<String, List<EvaluationResult>> copy = new TreeMap<>();
        byRun.forEach((run, results) -> copy.put(run, List.copyOf(results)));
        return copy;
    }
}
