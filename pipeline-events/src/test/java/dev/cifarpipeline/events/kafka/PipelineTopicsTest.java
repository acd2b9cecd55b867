package dev.cifarpipeline.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cifarpipeline.events.Topics;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineTopicsTest {
    @Test
    void theDefaultsAreTopicsNamesUnderTheirConfigurationKeys() {
        Map<String, String> keys = PipelineTopics.defaults().asConfiguration();
        assertEquals(9, keys.size());
        assertEquals(Topics.TRAIN_BATCHES, keys.get("pipeline.topics.train-batches"));
        assertEquals(Topics.EVALUATION_RESULTS, keys.get("pipeline.topics.evaluation-results"));
        assertEquals(Topics.DEAD_LETTER, keys.get("pipeline.topics.dead-letter"));
        assertEquals("trainer-", keys.get("pipeline.topics.run-group-prefix"));
        assertEquals(
                keys,
                new TopicDefaultsConfigSource().getProperties(),
                "the config source offers exactly these defaults");
    }

    @Test
    void configurationOverridesAKeyAndBlankValuesKeepTheDefault() {
        Map<String, String> set = Map.of(
                "pipeline.topics.checkpoints",
                "ckpt",
                "pipeline.topics.run-group-prefix",
                "run-",
                "pipeline.topics.dead-letter",
                " ");
        PipelineTopics topics = PipelineTopics.from(key -> Optional.ofNullable(set.get(key)));
        assertEquals("ckpt", topics.checkpoints());
        assertEquals("run-", topics.runGroupPrefix());
        assertEquals(Topics.DEAD_LETTER, topics.deadLetter());
        assertEquals(Topics.TRAIN_BATCHES, topics.trainBatches());
    }

    @Test
    void prefixedTopicsKeepTheRunGroupPrefix() {
        PipelineTopics topics = PipelineTopics.prefixed("t1.");
        assertEquals("t1." + Topics.RUN_SPECS, topics.runSpecs());
        assertEquals("t1." + Topics.TRAINING_EVENTS, topics.trainingEvents());
        assertEquals(PipelineTopics.DEFAULT_RUN_GROUP_PREFIX, topics.runGroupPrefix());
    }
}
