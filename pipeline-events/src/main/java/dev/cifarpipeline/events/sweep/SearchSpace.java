package dev.cifarpipeline.events.sweep;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Where a sweep looks: a grid over run-spec values (every combination, in the order the keys and values were given)
 * and, or instead, {@code samples} random draws from numeric ranges (uniform, or uniform in the logarithm), seeded so
 * the same space always gives the same points. With both, every random draw is combined with every grid point.
 * Values are run-spec values by key ({@link RunSpec#keys()}); a spec checks each point as it checks a submission.
 *
 * @param grid    values to try, by run-spec key; empty for none
 * @param samples random draws (0: none)
 * @param seed    the draws' seed
 * @param ranges  where each drawn key's values lie, by run-spec key
 */
public record SearchSpace(Map<String, List<Object>> grid, int samples, long seed, Map<String, Range> ranges) {
    /** Keys a sweep may not vary: they name or time the run, or are the sweep's own. */
    static final Set<String> FIXED =
            Set.of("schemaVersion", "runId", "submittedAtMillis", "stopRequestedAtMillis", "sweep");

    /** A numeric key's interval; {@code log}: drawn uniformly in the logarithm (learning rates, weight decay). */
    public record Range(double low, double high, boolean log) {
        public Range {
            if (!(Double.isFinite(low) && Double.isFinite(high) && low < high)) {
                throw new RecordFormatException("sweep: a range needs low < high, got " + low + ":" + high);
            }
            if (log && low <= 0) {
                throw new RecordFormatException("sweep: a log range needs low > 0, got " + low);
            }
        }

        double draw(Random random) {
            double u = random.nextDouble();
            return log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
        }
    }

    public SearchSpace {
        grid = copy(grid);
        ranges = ranges == null ? Map.of() : new LinkedHashMap<>(ranges);
        if (samples < 0) {
            throw new RecordFormatException("sweep: random samples must be 0 or more, got " + samples);
        }
        if (samples > 0 && ranges.isEmpty()) {
            throw new RecordFormatException("sweep: " + samples + " random samples need at least one range");
        }
        if (samples == 0 && !ranges.isEmpty()) {
            throw new RecordFormatException("sweep: ranges " + ranges.keySet() + " need a number of random samples");
        }
        if (grid.isEmpty() && samples == 0) {
            throw new RecordFormatException("sweep: the search space is empty: give a grid, random samples, or both");
        }
        for (String key : grid.keySet()) {
            checkKey(key);
            if (grid.get(key).isEmpty()) {
                throw new RecordFormatException("sweep: grid key '" + key + "' has no values");
            }
            if (ranges.containsKey(key)) {
                throw new RecordFormatException("sweep: '" + key + "' is both in the grid and drawn at random");
            }
        }
        for (String key : ranges.keySet()) {
            checkKey(key);
        }
    }

    /** How many runs the space gives, without making them: a limit is checked before anything is built. */
    public long size() {
        long n = Math.max(1, samples);
        for (List<Object> values : grid.values()) {
            if (n > Long.MAX_VALUE / values.size()) {
                return Long.MAX_VALUE; // beyond any limit: the limit's check says so
            }
            n *= values.size();
        }
        return n;
    }

    /** Every point, each a map of run-spec key to value: grid-major (the last key varies fastest), draws innermost. */
    public List<Map<String, Object>> points() {
        List<Map<String, Object>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<Object>> axis : grid.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> p : points) {
                for (Object v : axis.getValue()) {
                    Map<String, Object> q = new LinkedHashMap<>(p);
                    q.put(axis.getKey(), v);
                    next.add(q);
                }
            }
            points = next;
        }
        if (samples == 0) {
            return points;
        }
        Random random = new Random(seed);
        List<Map<String, Object>> draws = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            Map<String, Object> draw = new LinkedHashMap<>();
            ranges.forEach((key, range) -> draw.put(key, typed(key, range.draw(random))));
            draws.add(draw);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> p : points) {
            for (Map<String, Object> d : draws) {
                Map<String, Object> q = new LinkedHashMap<>(p);
                q.putAll(d);
                out.add(q);
            }
        }
        return out;
    }

    /**
     * {@code key=v1,v2,…} as the command line gives a grid axis; each value typed by its run-spec key (a number, true
     * or false, or a name).
     */
    public static Map.Entry<String, List<Object>> gridAxis(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0 || eq == assignment.length() - 1) {
            throw new RecordFormatException("sweep: --grid '" + assignment + "' is not key=value[,value…]");
        }
        String key = assignment.substring(0, eq);
        checkKey(key);
        List<Object> values = new ArrayList<>();
        for (String v : assignment.substring(eq + 1).split(",")) {
            try {
                values.add(RunSpec.typedValue(key, v.trim()));
            } catch (RecordFormatException e) {
                throw new RecordFormatException("sweep: --grid '" + assignment + "': "
                        + e.getMessage().replace("run spec: ", "") + ", got '" + v.trim() + "'");
            }
        }
        return Map.entry(key, values);
    }

    /** {@code key=low:high[:log]} as the command line gives a random key's range. */
    public static Map.Entry<String, Range> range(String assignment) {
        int eq = assignment.indexOf('=');
        String[] parts = eq <= 0 ? new String[0] : assignment.substring(eq + 1).split(":");
        if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].equals("log"))) {
            throw new RecordFormatException("sweep: --range '" + assignment + "' is not key=low:high[:log]");
        }
        String key = assignment.substring(0, eq);
        checkKey(key);
        try {
            return Map.entry(
                    key, new Range(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), parts.length == 3));
        } catch (NumberFormatException e) {
            throw new RecordFormatException("sweep: --range '" + assignment + "': low and high must be numbers");
        }
    }

    private static void checkKey(String key) {
        if (!RunSpec.keys().contains(key)) {
            throw new RecordFormatException(
                    "sweep: unknown run-spec key '" + key + "'; known keys: " + String.join(", ", RunSpec.keys()));
        }
        if (FIXED.contains(key)) {
            throw new RecordFormatException("sweep: '" + key + "' cannot vary within a sweep");
        }
    }

    /** A drawn number as its key's type: integers rounded (epochs, scheduleEpochs), the rest to 4 significant digits. */
    private static Object typed(String key, double value) {
        Class<?> type = RunSpec.typeOf(key);
        if (type == int.class || type == Integer.class) {
            long rounded = Math.round(value);
            if (rounded != (int) rounded) {
                throw new RecordFormatException("sweep: '" + key + "' drew " + rounded + ", beyond an integer's range");
            }
            return (int) rounded;
        }
        if (type == long.class || type == Long.class) {
            return Math.round(value);
        }
        if (type != Double.class) {
            throw new RecordFormatException("sweep: '" + key + "' is not a number and cannot be drawn from a range");
        }
        return Double.parseDouble(String.format(Locale.ROOT, "%.4g", value));
    }

    private static Map<String, List<Object>> copy(Map<String, List<Object>> grid) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        if (grid != null) {
            grid.forEach((k, v) -> {
                if (v == null || v.stream().anyMatch(Objects::isNull)) { // List.of(...).contains(null) throws
                    // List.copyOf refuses nulls with a bare NullPointerException: say which key, as for any bad value
                    throw new RecordFormatException(
                            "sweep: grid '" + k + "' takes a list of values, none of them null");
                }
                out.put(k, List.copyOf(v));
            });
        }
        return out;
    }
}
