package dev.cifarpipeline.events.kafka;

import dev.cifarpipeline.events.Topics;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Publishes the names in {@link Topics} as configuration keys {@code pipeline.topics.*}, so that each service's
 * {@code application.properties} refers to a topic as {@code ${pipeline.topics.train-batches}} and the names are
 * written once, in Java. Its ordinal is below {@code application.properties} (250) and environment variables
 * (300), so a deployment can still rename a topic, e.g. {@code PIPELINE_TOPICS_TRAIN_BATCHES=...}.
 */
public final class TopicDefaultsConfigSource implements ConfigSource {
    public static final int ORDINAL = 50;
    public static final String KEY_PREFIX = "pipeline.topics.";
    private static final Map<String, String> PROPERTIES = build();

    private static Map<String, String> build() {
        return Map.of(
                KEY_PREFIX + "train-batches", Topics.TRAIN_BATCHES,
                KEY_PREFIX + "test-batches", Topics.TEST_BATCHES,
                KEY_PREFIX + "epoch-markers", Topics.EPOCH_MARKERS,
                KEY_PREFIX + "run-specs", Topics.RUN_SPECS,
                KEY_PREFIX + "checkpoints", Topics.CHECKPOINTS,
                KEY_PREFIX + "evaluation-results", Topics.EVALUATION_RESULTS,
                KEY_PREFIX + "training-events", Topics.TRAINING_EVENTS,
                KEY_PREFIX + "dead-letter", Topics.DEAD_LETTER);
    }

    @Override
    public Map<String, String> getProperties() {
        return PROPERTIES;
    }

    @Override
    public Set<String> getPropertyNames() {
        return PROPERTIES.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return PROPERTIES.get(propertyName);
    }

    @Override
    public String getName() {
        return "pipeline-topic-defaults";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
