package dev.cifarpipeline.events.kafka;

import dev.cifarpipeline.events.Topics;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The pipeline's topics and the prefix of the runs' consumer groups, as every service configures them: the keys
 * {@code pipeline.topics.<name>} ({@code pipeline.topics.train-batches}, …, {@code pipeline.topics.run-group-prefix}),
 * defaulting to {@link Topics}. One value for all three services, so a renamed topic or prefix is renamed for each.
 *
 * @param runGroupPrefix a run reads the batch stream as consumer group {@code <prefix><run id>}; ingest holds the
 *                       stream back for the slowest group with this prefix
 */
public record PipelineTopics(
        String trainBatches,
        String testBatches,
        String epochMarkers,
        String runSpecs,
        String checkpoints,
        String evaluationResults,
        String trainingEvents,
        String deadLetter,
        String runGroupPrefix) {
    public static final String KEY_PREFIX = "pipeline.topics.";
    public static final String DEFAULT_RUN_GROUP_PREFIX = "trainer-";

    public static PipelineTopics defaults() {
        return new PipelineTopics(
                Topics.TRAIN_BATCHES,
                Topics.TEST_BATCHES,
                Topics.EPOCH_MARKERS,
                Topics.RUN_SPECS,
                Topics.CHECKPOINTS,
                Topics.EVALUATION_RESULTS,
                Topics.TRAINING_EVENTS,
                Topics.DEAD_LETTER,
                DEFAULT_RUN_GROUP_PREFIX);
    }

    /** Every topic named with {@code prefix} before it and a fixed suffix: tests and benchmarks keep their topics apart. */
    public static PipelineTopics prefixed(String prefix) {
        Map<String, String> values = new LinkedHashMap<>();
        defaults()
                .asConfiguration()
                .forEach((key, value) -> values.put(key, key.endsWith("run-group-prefix") ? value : prefix + value));
        return from(key -> Optional.ofNullable(values.get(key)));
    }

    /** Each value under its configuration key: what {@link TopicDefaultsConfigSource} offers as defaults. */
    public Map<String, String> asConfiguration() {
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent c : PipelineTopics.class.getRecordComponents()) {
            try {
                out.put(key(c.getName()), (String) c.getAccessor().invoke(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** The values configuration gives ({@code config}: a key's value, if set), the defaults for the rest. */
    public static PipelineTopics from(Function<String, Optional<String>> config) {
        Map<String, String> defaults = defaults().asConfiguration();
        String[] values = Arrays.stream(PipelineTopics.class.getRecordComponents())
                .map(c -> key(c.getName()))
                .map(key -> config.apply(key).filter(v -> !v.isBlank()).orElse(defaults.get(key)))
                .toArray(String[]::new);
        return new PipelineTopics(
                values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8]);
    }

    /** {@code trainBatches} → {@code pipeline.topics.train-batches}. */
    static String key(String component) {
        return KEY_PREFIX + component.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
