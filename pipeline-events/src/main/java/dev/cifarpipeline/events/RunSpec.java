package dev.cifarpipeline.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A training run as submitted: the recipe by name plus any hyperparameter overrides. Null overrides keep the
 * preset's value. The trainer resolves a spec into its settings; names (preset, model, layout) are checked
 * there, against the code that knows them. The JSON form is strict: an unknown key is a typo until proven
 * otherwise, so it is refused with the list of known keys rather than silently ignored.
 *
 * @param schemaVersion        version of this schema
 * @param runId                1-64 letters, digits, '.', '_' or '-'; names the run's consumer group, checkpoints, metrics
 * @param preset               {@code stable} (default) or {@code seed}
 * @param model                {@code vgg11} (default), {@code vgg13}, {@code vgg16} or {@code vgg19}
 * @param epochs               epochs to train (default 60, the seed's loop)
 * @param layout               overrides the preset's layout: {@code seed} (dropout) or {@code batchnorm}
 * @param scheduleEpochs       overrides the epochs the OneCycle schedule spans
 * @param maxLearningRate      overrides OneCycle's peak learning rate
 * @param weightDecay          overrides SGD's weight decay
 * @param cycleMomentum        overrides OneCycle's momentum cycling
 * @param momentum             SGD's own momentum, in force when cycling is off
 * @param dampening            SGD dampening
 * @param nesterov             Nesterov momentum
 * @param seed                 seed of weight initialisation and dropout
 * @param checkpointEverySteps also checkpoint every this many steps (0: only at each epoch's end)
 * @param submittedAtMillis    when it was submitted, Unix epoch milliseconds
 * @param stopRequestedAtMillis when a stop was asked for ({@code POST /trainer/runs/{id}/stop}); null while the run
 *                             is wanted. The stop is this same spec again, so compaction keeps the run stopped.
 * @param sweep                the sweep this run belongs to ({@code POST /trainer/sweeps}); null for a run of its own
 * @param ashaEta              early stopping within the sweep (ASHA): at rungs of 1, η, η², … epochs the run goes on only
 *                             if it is not below the top 1/η of the sweep's runs that reached the rung before it; null:
 *                             it trains to its last epoch
 */
public record RunSpec(
        int schemaVersion,
        String runId,
        String preset,
        String model,
        int epochs,
        String layout,
        Integer scheduleEpochs,
        Double maxLearningRate,
        Double weightDecay,
        Boolean cycleMomentum,
        Double momentum,
        Double dampening,
        Boolean nesterov,
        Long seed,
        Integer checkpointEverySteps,
        long submittedAtMillis,
        Long stopRequestedAtMillis,
        String sweep,
        Integer ashaEta) {
    public static final int SCHEMA_VERSION = 1;
    public static final String DEFAULT_PRESET = "stable";
    public static final String DEFAULT_MODEL = "vgg11";
    public static final int DEFAULT_EPOCHS = 60;
    /** What a run id (and a sweep id in a run's events) may be: 1-64 letters, digits, '.', '_' or '-'. */
    public static final String RUN_ID = "[A-Za-z0-9._-]{1,64}";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The spec's keys, in the record's order: its components, so a new field is a new key with nothing else to edit. */
    private static final RecordComponent[] COMPONENTS = RunSpec.class.getRecordComponents();

    private static final Constructor<RunSpec> CANONICAL = canonicalConstructor();
    private static final Set<String> KEYS = Arrays.stream(COMPONENTS)
            .map(RecordComponent::getName)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    /** The keys that override a preset's value: what {@link #overrides()} lists when set. */
    private static final Set<String> NOT_OVERRIDES = Set.of(
            "schemaVersion",
            "runId",
            "preset",
            "model",
            "epochs",
            "submittedAtMillis",
            "stopRequestedAtMillis",
            "sweep");

    public RunSpec {
        if (schemaVersion < 1 || schemaVersion > SCHEMA_VERSION) {
            throw new RecordFormatException("run spec: schemaVersion " + schemaVersion
                    + " is not supported (this version reads 1.." + SCHEMA_VERSION + ")");
        }
        if (runId != null && runId.matches("\\.+")) {
            throw new RecordFormatException(
                    "run spec: runId '" + runId + "' is only dots, which paths and URLs read as folders");
        }
        if (runId == null || !runId.matches(RUN_ID)) {
            throw new RecordFormatException(
                    "run spec: runId '" + runId + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (sweep != null && !sweep.matches(RUN_ID)) {
            throw new RecordFormatException(
                    "run spec " + runId + ": sweep '" + sweep + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (ashaEta != null && (ashaEta < 2 || ashaEta > 100)) {
            throw new RecordFormatException("run spec " + runId + ": ashaEta must be 2..100, got " + ashaEta);
        }
        if (ashaEta != null && sweep == null) {
            throw new RecordFormatException("run spec " + runId + ": ashaEta stops a run early against the other runs "
                    + "of its sweep; a run of its own has none (submit it through POST /trainer/sweeps)");
        }
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(model, "model");
        if (epochs < 1) {
            throw new RecordFormatException("run spec " + runId + ": epochs must be at least 1, got " + epochs);
        }
        requirePositive(runId, "scheduleEpochs", scheduleEpochs);
        if (maxLearningRate != null && !(maxLearningRate > 0 && Double.isFinite(maxLearningRate))) {
            throw new RecordFormatException(
                    "run spec " + runId + ": maxLearningRate must be a positive number, got " + maxLearningRate);
        }
        if (weightDecay != null && !(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new RecordFormatException(
                    "run spec " + runId + ": weightDecay must be 0 or more, got " + weightDecay);
        }
        if (momentum != null && !(momentum >= 0 && momentum < 1)) {
            throw new RecordFormatException("run spec " + runId + ": momentum must be in [0, 1), got " + momentum);
        }
        if (dampening != null && !(dampening >= 0 && dampening <= 1)) {
            throw new RecordFormatException("run spec " + runId + ": dampening must be in [0, 1], got " + dampening);
        }
        if (checkpointEverySteps != null && checkpointEverySteps < 0) {
            throw new RecordFormatException(
                    "run spec " + runId + ": checkpointEverySteps must be 0 or more, got " + checkpointEverySteps);
        }
    }

    /** A spec with the defaults for everything but the run id. */
    public static RunSpec of(String runId) {
        return new RunSpec(
                SCHEMA_VERSION,
                runId,
                DEFAULT_PRESET,
                DEFAULT_MODEL,
                DEFAULT_EPOCHS,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                System.currentTimeMillis(),
                null,
                null,
                null);
    }

    /**
     * This spec with {@code key} set to {@code value} ({@code null} unsets an override), checked as a submitted spec
     * is: the key must be one of the spec's, the value of its type and in range, or the error names them.
     */
    public RunSpec with(String key, Object value) {
        ObjectNode node = MAPPER.valueToTree(this);
        node.set(key, MAPPER.valueToTree(value));
        return fromJson(bytes(node));
    }

    /** This run, asked to stop at {@code atMillis}. */
    public RunSpec withStopRequested(long atMillis) {
        return with("stopRequestedAtMillis", atMillis);
    }

    /** Whether a stop was asked for: the run is not to be trained (any further). */
    public boolean stopRequested() {
        return stopRequestedAtMillis != null;
    }

    public byte[] toJson() {
        ObjectNode node = MAPPER.valueToTree(this);
        // Absent overrides are left out rather than written as null: the stored spec reads like the submitted one.
        List<String> nulls = new ArrayList<>();
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                nulls.add(e.getKey());
            }
        });
        node.remove(nulls);
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise run spec " + runId, e);
        }
    }

    /**
     * Reads a spec, filling defaults for absent keys (a missing runId is an error; a submitter generates one
     * before calling this if it wants to). Every problem is named with its key.
     */
    public static RunSpec fromJson(byte[] json) {
        if (json == null) {
            throw new RecordFormatException("run spec: the record has no value (null payload)");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new RecordFormatException("run spec: invalid JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RecordFormatException("run spec: unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new RecordFormatException(
                    "run spec: expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new RecordFormatException(
                        "run spec: unknown key '" + key + "'; known keys: " + String.join(", ", KEYS));
            }
        }
        Object[] values = new Object[COMPONENTS.length];
        for (int i = 0; i < COMPONENTS.length; i++) {
            String key = COMPONENTS[i].getName();
            JsonNode v = root.get(key);
            values[i] = v == null || v.isNull() ? defaultOf(key) : value(key, COMPONENTS[i].getType(), v);
        }
        try {
            return CANONICAL.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the record's own checks, naming the key
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct a run spec", e);
        }
    }

    /**
     * Reads a spec written as {@code key=value} pairs separated by blanks ({@code runId=lr05 epochs=30
     * maxLearningRate=0.05}), as compose's {@code PIPELINE_RUN} gives it: each value is typed by its key (the
     * record's component), then the spec is checked as {@link #fromJson} checks one. Errors name the pair.
     */
    public static RunSpec fromAssignments(String assignments) {
        ObjectNode node = MAPPER.createObjectNode();
        for (String pair : assignments.trim().split("\\s+")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new RecordFormatException("run spec: '" + pair + "' is not key=value");
            }
            String key = pair.substring(0, eq);
            if (!KEYS.contains(key)) {
                throw new RecordFormatException("run spec: unknown key '" + key + "' in '" + pair + "'; known keys: "
                        + String.join(", ", KEYS));
            }
            Object value;
            try {
                value = typedValue(key, pair.substring(eq + 1));
            } catch (RecordFormatException e) {
                throw new RecordFormatException(e.getMessage().replace("run spec: ", "run spec: '" + pair + "': "));
            }
            node.set(key, MAPPER.valueToTree(value));
        }
        return fromJson(bytes(node));
    }

    /** The type of {@code key}'s value (the record component's). */
    public static Class<?> typeOf(String key) {
        return Arrays.stream(COMPONENTS)
                .filter(c -> c.getName().equals(key))
                .map(RecordComponent::getType)
                .findFirst()
                .orElseThrow(() -> new RecordFormatException(
                        "run spec: unknown key '" + key + "'; known keys: " + String.join(", ", KEYS)));
    }

    /** {@code text} as a value of {@code key}, typed by it: a name, an integer, a number, or true or false. */
    public static Object typedValue(String key, String text) {
        Class<?> type = typeOf(key);
        try {
            if (type == String.class) {
                return text;
            } else if (type == int.class || type == Integer.class) {
                return Integer.parseInt(text);
            } else if (type == long.class || type == Long.class) {
                return Long.parseLong(text);
            } else if (type == Double.class) {
                return Double.parseDouble(text);
            } else if (type == Boolean.class && (text.equals("true") || text.equals("false"))) {
                return Boolean.parseBoolean(text);
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new RecordFormatException("run spec: " + key + " must be "
                + (type == Boolean.class ? "true or false" : type == Double.class ? "a number" : "an integer"));
    }

    /** The keys a spec may have, in documentation order. */
    public static Set<String> keys() {
        return KEYS;
    }

    private static void requirePositive(String runId, String key, Integer value) {
        if (value != null && value < 1) {
            throw new RecordFormatException("run spec " + runId + ": " + key + " must be at least 1, got " + value);
        }
    }

    private static Constructor<RunSpec> canonicalConstructor() {
        try {
            return RunSpec.class.getDeclaredConstructor(Arrays.stream(RunSpec.class.getRecordComponents())
                    .map(RecordComponent::getType)
                    .toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value absent from the JSON: the defaults of a new spec, null for an override (the preset decides). */
    private static Object defaultOf(String key) {
        return switch (key) {
            case "schemaVersion" -> SCHEMA_VERSION;
            case "preset" -> DEFAULT_PRESET;
            case "model" -> DEFAULT_MODEL;
            case "epochs" -> DEFAULT_EPOCHS;
            case "submittedAtMillis" -> System.currentTimeMillis();
            default -> null; // runId too: the record refuses a spec without one, naming it
        };
    }

    /** {@code v} as the component's type, or an error that names the key and what was found. */
    private static Object value(String key, Class<?> type, JsonNode v) {
        if (type == String.class && v.isTextual()) {
            return v.asText();
        }
        if ((type == int.class || type == Integer.class) && v.isIntegralNumber() && v.canConvertToInt()) {
            return v.intValue();
        }
        if ((type == long.class || type == Long.class) && v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (type == Double.class && v.isNumber()) {
            return v.doubleValue();
        }
        if (type == Boolean.class && v.isBoolean()) {
            return v.booleanValue();
        }
        throw new RecordFormatException("run spec: '" + key + "' must be " + expected(type) + ", got " + v);
    }

    private static String expected(Class<?> type) {
        return type == String.class
                ? "a string"
                : type == Double.class ? "a number" : type == Boolean.class ? "true or false" : "an integer";
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The spec's overrides that are set, by key: for logs and the REST view. */
    public Map<String, Object> overrides() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : COMPONENTS) {
            if (!NOT_OVERRIDES.contains(c.getName())) {
                try {
                    Object v = c.getAccessor().invoke(this);
                    if (v != null) {
                        out.put(c.getName(), v);
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
