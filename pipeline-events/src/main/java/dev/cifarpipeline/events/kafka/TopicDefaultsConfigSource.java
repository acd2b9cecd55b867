package dev.cifarpipeline.events.kafka;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Publishes {@link PipelineTopics#defaults()} (the names in {@code Topics}, the runs' group prefix) as configuration
 * keys {@code pipeline.topics.*}, so that each service's {@code application.properties} refers to a topic as
 * {@code ${pipeline.topics.train-batches}} and the names are written once, in Java. Its ordinal is below {@code application.properties} (250) and environment variables
 * (300), so a deployment can still rename a topic, e.g. {@code PIPELINE_TOPICS_TRAIN_BATCHES=...}.
 */
public final class TopicDefaultsConfigSource implements ConfigSource {
    public static final int ORDINAL = 50;
    private static final Map<String, String> PROPERTIES =
            PipelineTopics.defaults().asConfiguration();

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
