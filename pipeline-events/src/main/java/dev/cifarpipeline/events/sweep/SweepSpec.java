package dev.cifarpipeline.events.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sweep as submitted: a base run spec and a {@link SearchSpace}; one run per point of the space, each the base with
 * the point's values, named {@code <sweepId>-<n>} and carrying the sweep's id ({@link RunSpec#sweep()}). The JSON form
 * ({@code POST /trainer/sweeps}):
 *
 * <pre>{"sweepId": "lr-wd", "base": {"epochs": 9, "preset": "stable"},
 *  "grid": {"maxLearningRate": [0.02, 0.05, 0.1, 0.2], "weightDecay": [5e-4, 5e-3]},
 *  "random": {"samples": 8, "seed": 1, "ranges": {"maxLearningRate": {"low": 0.01, "high": 0.3, "log": true}}}}</pre>
 *
 * Every key but {@code sweepId} is optional except that the space must not be empty; unknown keys are refused, as a
 * run spec's are.
 */
public record SweepSpec(String sweepId, RunSpec base, SearchSpace space) {
    /** A sweep id leaves room in a run id (64 characters) for the run's number. */
    public static final int MAX_SWEEP_ID = 56;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("sweepId", "base", "grid", "random");
    private static final Set<String> RANDOM_KEYS = Set.of("samples", "seed", "ranges");
    private static final Set<String> RANGE_KEYS = Set.of("low", "high", "log");

    public SweepSpec {
        if (sweepId == null || !sweepId.matches("[A-Za-z0-9._-]{1," + MAX_SWEEP_ID + "}") || sweepId.matches("\\.+")) {
            throw new RecordFormatException("sweep: sweepId '" + sweepId + "' must be 1-" + MAX_SWEEP_ID
                    + " letters, digits, '.', '_' or '-' (not only dots)");
        }
    }

    /** How many runs the sweep has. */
    public long size() {
        return space.size();
    }

    /** The sweep's runs, in the space's order; each checked as a submitted spec is, or the error names run and key. */
    public List<RunSpec> runs() {
        List<Map<String, Object>> points = space.points();
        int width = Integer.toString(points.size()).length();
        List<RunSpec> runs = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            String runId = runId(i, width);
            RunSpec spec = base.with("runId", runId).with("sweep", sweepId);
            for (Map.Entry<String, Object> value : points.get(i).entrySet()) {
                try {
                    spec = spec.with(value.getKey(), value.getValue());
                } catch (RecordFormatException e) {
                    throw new RecordFormatException("sweep " + sweepId + ", run " + runId + " " + points.get(i) + ": "
                            + e.getMessage()
                                    .replace("run spec " + runId + ": ", "")
                                    .replace("run spec: ", ""));
                }
            }
            runs.add(spec);
        }
        return runs;
    }

    /** The id of the run of point {@code i}: the sweep's id and its number, zero-padded to {@code width} digits. */
    private String runId(int i, int width) {
        return sweepId + "-" + String.format("%0" + width + "d", i + 1);
    }

    /** Each run's point of the space, by run id, in the runs' order: the values the sweep gave it. */
    public Map<String, Map<String, Object>> pointsByRun() {
        List<Map<String, Object>> points = space.points();
        int width = Integer.toString(points.size()).length();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (int i = 0; i < points.size(); i++) {
            out.put(runId(i, width), points.get(i));
        }
        return out;
    }

    /** The values a run of this sweep was given: its overrides of the base, by key. */
    public static Map<String, Object> values(RunSpec base, RunSpec run) {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonNode b = MAPPER.valueToTree(base);
        JsonNode r = MAPPER.valueToTree(run);
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!SearchSpace.FIXED.contains(key) && !r.get(key).equals(b.get(key))) {
                out.put(key, MAPPER.convertValue(r.get(key), Object.class));
            }
        }
        return out;
    }

    /** The JSON form {@link #fromJson} reads: what {@code bin/pipeline sweep} posts. */
    public byte[] toJson() {
        try {
            ObjectNode root = MAPPER.createObjectNode();
            root.put("sweepId", sweepId);
            ObjectNode b = (ObjectNode) MAPPER.readTree(base.toJson());
            b.remove(List.of("runId", "sweep", "submittedAtMillis"));
            root.set("base", b);
            if (!space.grid().isEmpty()) {
                root.set("grid", MAPPER.valueToTree(space.grid()));
            }
            if (space.samples() > 0) {
                ObjectNode random = root.putObject("random");
                random.put("samples", space.samples());
                random.put("seed", space.seed());
                random.set("ranges", MAPPER.valueToTree(space.ranges()));
            }
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write sweep " + sweepId, e);
        }
    }

    public static SweepSpec fromJson(byte[] json) {
        JsonNode root;
        try {
            root = json == null ? null : MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new RecordFormatException("sweep: invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RecordFormatException("sweep: unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new RecordFormatException("sweep: expected a JSON object");
        }
        known(root, KEYS, "sweep");
        JsonNode id = root.get("sweepId");
        if (id == null || !id.isTextual()) {
            throw new RecordFormatException("sweep: 'sweepId' is required, a string");
        }
        String sweepId = id.asText();
        ObjectNode base = root.has("base") ? object(root.get("base"), "base") : MAPPER.createObjectNode();
        for (String own : List.of("runId", "sweep")) {
            if (base.has(own)) {
                throw new RecordFormatException("sweep: 'base' must not set '" + own + "': the sweep names its runs");
            }
        }
        base.put("runId", sweepId);
        base.put("sweep", sweepId); // its runs' (and ashaEta, early stopping within the sweep, needs one)
        RunSpec baseSpec;
        try {
            baseSpec = RunSpec.fromJson(MAPPER.writeValueAsBytes(base));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (RecordFormatException e) {
            throw new RecordFormatException("sweep: 'base': " + e.getMessage());
        }
        Map<String, List<Object>> grid = new LinkedHashMap<>();
        if (root.has("grid")) {
            object(root.get("grid"), "grid").fields().forEachRemaining(e -> {
                if (!e.getValue().isArray()) {
                    throw new RecordFormatException("sweep: grid '" + e.getKey() + "' must be an array of values");
                }
                List<Object> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(MAPPER.convertValue(v, Object.class)));
                grid.put(e.getKey(), values);
            });
        }
        int samples = 0;
        long seed = 0;
        Map<String, SearchSpace.Range> ranges = new LinkedHashMap<>();
        if (root.has("random")) {
            ObjectNode random = object(root.get("random"), "random");
            known(random, RANDOM_KEYS, "sweep: random");
            samples = integer(random.get("samples"), "random.samples");
            if (random.has("seed")
                    && !(random.get("seed").isIntegralNumber()
                            && random.get("seed").canConvertToLong())) {
                throw new RecordFormatException("sweep: 'random.seed' must be an integer");
            }
            seed = random.has("seed") ? random.get("seed").longValue() : 0;
            if (random.has("ranges")) {
                object(random.get("ranges"), "random.ranges").fields().forEachRemaining(e -> {
                    ObjectNode r = object(e.getValue(), "random.ranges." + e.getKey());
                    known(r, RANGE_KEYS, "sweep: range '" + e.getKey() + "'");
                    if (!(r.has("low")
                            && r.get("low").isNumber()
                            && r.has("high")
                            && r.get("high").isNumber())) {
                        throw new RecordFormatException("sweep: range '" + e.getKey() + "' needs numbers low and high");
                    }
                    if (r.has("log") && !r.get("log").isBoolean()) {
                        throw new RecordFormatException("sweep: range '" + e.getKey() + "': log must be true or false");
                    }
                    ranges.put(
                            e.getKey(),
                            new SearchSpace.Range(
                                    r.get("low").doubleValue(),
                                    r.get("high").doubleValue(),
                                    r.has("log") && r.get("log").asBoolean()));
                });
            }
        }
        return new SweepSpec(sweepId, baseSpec, new SearchSpace(grid, samples, seed, ranges));
    }

    private static void known(JsonNode node, Set<String> keys, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!keys.contains(key)) {
                throw new RecordFormatException(what + ": unknown key '" + key + "'; known keys: " + keys);
            }
        }
    }

    private static ObjectNode object(JsonNode node, String key) {
        if (node == null || !node.isObject()) {
            throw new RecordFormatException("sweep: '" + key + "' must be a JSON object");
        }
        return (ObjectNode) node.deepCopy();
    }

    private static int integer(JsonNode node, String key) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new RecordFormatException("sweep: '" + key + "' must be an integer");
        }
        return node.intValue();
    }
}
