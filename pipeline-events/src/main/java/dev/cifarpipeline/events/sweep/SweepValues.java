package dev.cifarpipeline.events.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.cifarpipeline.events.RunSpec;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What tells a sweep's runs apart, from the run-spec topic: each run's values of the keys that differ between its
 * sweep's runs (the search space's keys, as far as the runs seen so far show them). A dashboard puts them beside a
 * run's scores, where a run id alone says nothing. Every sweep read is kept (a run's few values; the topic keeps no
 * more) and the {@code maxShown} submitted last are given, whatever order the topic's partitions are read in: a
 * trainer replaying the topic from its start shows what one that read it live shows. Framework-free: the trainer's
 * {@code SweepSupervisor} feeds it.
 */
public final class SweepValues {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final int maxShown;
    /** By sweep, by run id: the run's first spec's values of every key a sweep may vary (null: left to its preset). */
    private final Map<String, Map<String, Map<String, JsonNode>>> specs = new HashMap<>();
    /** By sweep: when its latest run was submitted. */
    private final Map<String, Long> submitted = new HashMap<>();

    private long changes;

    public SweepValues(int maxShown) {
        if (maxShown < 1) {
            throw new IllegalArgumentException("maxShown must be at least 1, got " + maxShown);
        }
        this.maxShown = maxShown;
    }

    /** A run spec as read from its topic; a run outside any sweep is not this record's. */
    public void spec(RunSpec spec) {
        if (spec.sweep() == null) {
            return;
        }
        Map<String, Map<String, JsonNode>> runs = specs.computeIfAbsent(spec.sweep(), s -> new TreeMap<>());
        if (runs.containsKey(spec.runId())) {
            return; // the first spec holds the values; a later one of the same run (a stop request) changes none
        }
        JsonNode tree = MAPPER.valueToTree(spec);
        Map<String, JsonNode> values = new HashMap<>();
        for (String key : RunSpec.keys()) {
            if (!SearchSpace.FIXED.contains(key) && tree.hasNonNull(key)) {
                values.put(key, tree.get(key));
            }
        }
        runs.put(spec.runId(), values);
        submitted.merge(spec.sweep(), spec.submittedAtMillis(), Math::max);
        changes++;
    }

    /** How many times {@link #values} changed: a reader redraws only when this moved. */
    public long changes() {
        return changes;
    }

    /**
     * The {@code maxShown} sweeps submitted last (the latest last), by run id: the run's values of the keys that
     * differ between the sweep's runs, in the spec's key order (empty for a sweep of one run so far). A key a run
     * leaves to its preset is null there.
     */
    public Map<String, Map<String, Map<String, Object>>> values() {
        List<String> shown = submitted.keySet().stream()
                .sorted(Comparator.comparing((String sweep) -> submitted.get(sweep))
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
        shown = shown.subList(Math.max(0, shown.size() - maxShown), shown.size());
        Map<String, Map<String, Map<String, Object>>> out = new LinkedHashMap<>();
        for (String sweep : shown) {
            Map<String, Map<String, JsonNode>> runs = specs.get(sweep);
            Set<String> varied = new LinkedHashSet<>();
            for (String key : RunSpec.keys()) {
                Set<JsonNode> seen = new HashSet<>();
                runs.values().forEach(r -> seen.add(r.getOrDefault(key, NullNode.getInstance())));
                if (seen.size() > 1) {
                    varied.add(key);
                }
            }
            Map<String, Map<String, Object>> byRun = new LinkedHashMap<>();
            runs.forEach((run, spec) -> {
                Map<String, Object> values = new LinkedHashMap<>();
                varied.forEach(key -> values.put(
                        key, spec.containsKey(key) ? MAPPER.convertValue(spec.get(key), Object.class) : null));
                byRun.put(run, values);
            });
            out.put(sweep, byRun);
        }
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
