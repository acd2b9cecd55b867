package dev.cifarpipeline.events.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.cifarpipeline.events.RunSpec;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What tells a sweep's runs apart, from the run-spec topic: each run's values of the keys that differ between its
 * sweep's runs (the search space's keys, as far as the runs seen so far show them). A dashboard puts them beside a
 * run's scores, where a run id alone says nothing. Keeps the {@code maxSweeps} sweeps with the latest specs, so a
 * long-lived trainer's memory and scrape stay bounded. Framework-free: the trainer's {@code SweepSupervisor} feeds it.
 */
public final class SweepValues {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final int maxSweeps;
    /** By sweep (the one with the latest spec last), by run in order of arrival: the run's first spec as a tree. */
    private final Map<String, Map<String, JsonNode>> specs = new LinkedHashMap<>();

    private long changes;

    public SweepValues(int maxSweeps) {
        if (maxSweeps < 1) {
            throw new IllegalArgumentException("maxSweeps must be at least 1, got " + maxSweeps);
        }
        this.maxSweeps = maxSweeps;
    }

    /** A run spec as read from its topic; a run outside any sweep is not this record's. */
    public void spec(RunSpec spec) {
        if (spec.sweep() == null) {
            return;
        }
        Map<String, JsonNode> runs = specs.remove(spec.sweep());
        runs = runs == null ? new LinkedHashMap<>() : runs;
        // the first spec holds the values; a later one of the same run (a stop request) changes none of them
        if (runs.putIfAbsent(spec.runId(), MAPPER.valueToTree(spec)) == null) {
            changes++;
        }
        specs.put(spec.sweep(), runs);
        for (Iterator<String> oldest = specs.keySet().iterator(); specs.size() > maxSweeps; ) {
            oldest.next();
            oldest.remove();
            changes++;
        }
    }

    /** How many times {@link #values} changed: a reader redraws only when this moved. */
    public long changes() {
        return changes;
    }

    /**
     * By sweep (the one with the latest spec last), by run in order of arrival: the run's values of the keys that differ
     * between the sweep's runs, in the spec's key order (empty for a sweep of one run so far). A key a run leaves to
     * its preset is null there.
     */
    public Map<String, Map<String, Map<String, Object>>> values() {
        Map<String, Map<String, Map<String, Object>>> out = new LinkedHashMap<>();
        specs.forEach((sweep, runs) -> {
            Set<String> varied = new LinkedHashSet<>();
            for (String key : RunSpec.keys()) {
                if (SearchSpace.FIXED.contains(key)) {
                    continue;
                }
                Set<JsonNode> seen = new HashSet<>();
                runs.values().forEach(r -> seen.add(r.hasNonNull(key) ? r.get(key) : NullNode.getInstance()));
                if (seen.size() > 1) {
                    varied.add(key);
                }
            }
            Map<String, Map<String, Object>> byRun = new LinkedHashMap<>();
            runs.forEach((run, spec) -> {
                Map<String, Object> values = new LinkedHashMap<>();
                varied.forEach(key -> values.put(
                        key, spec.hasNonNull(key) ? MAPPER.convertValue(spec.get(key), Object.class) : null));
                byRun.put(run, values);
            });
            out.put(sweep, byRun);
        });
        return out;
    }

    /**
     * A run's values in one line, as a metric's label gives them: {@code maxLearningRate=0.05 weightDecay=0.0005},
     * numbers in plain decimals, a preset's own value as {@code default}; {@code -} when nothing differs.
     */
    public static String describe(Map<String, Object> values) {
        if (values.isEmpty()) {
            return "-";
        }
        return values.entrySet().stream()
                .map(e -> e.getKey() + "=" + text(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    private static String text(Object value) {
        if (value == null) {
            return "default";
        }
        if (value instanceof Double || value instanceof Float) {
            return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
        }
        return value.toString();
    }
}
