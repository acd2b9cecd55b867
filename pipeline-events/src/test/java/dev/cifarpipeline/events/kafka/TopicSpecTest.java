package dev.cifarpipeline.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cifarpipeline.events.Topics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TopicSpecTest {
    @Test
    void everyTopicStatesItsRetentionAndOnlyTheTrainingStreamExpires() {
        Map<String, String> retention = new TreeMap<>();
        for (TopicSpec t : List.of(
                TopicSpec.stream(Topics.TRAIN_BATCHES),
                TopicSpec.testBatches(Topics.TEST_BATCHES),
                TopicSpec.epochMarkers(Topics.EPOCH_MARKERS),
                TopicSpec.runSpecs(Topics.RUN_SPECS, 12),
                TopicSpec.checkpoints(Topics.CHECKPOINTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.EVALUATION_RESULTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.TRAINING_EVENTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.deadLetter(Topics.DEAD_LETTER))) {
            retention.put(t.name(), t.configs().get(TopicSpec.RETENTION_MS));
        }
        assertEquals(
                new TreeMap<>(Map.of(
                        Topics.TRAIN_BATCHES, "604800000", // 7 days
                        Topics.TEST_BATCHES, "-1",
                        Topics.EPOCH_MARKERS, "-1",
                        Topics.RUN_SPECS, "-1",
                        Topics.CHECKPOINTS, "-1",
                        Topics.EVALUATION_RESULTS, "-1",
                        Topics.TRAINING_EVENTS, "-1",
                        Topics.DEAD_LETTER, "-1")),
                retention);
    }

    @Test
    void runSpecsAreCompactedAndTheBatchTopicsTakeABatch() {
        assertEquals("compact", TopicSpec.runSpecs("specs", 4).configs().get("cleanup.policy"));
        for (TopicSpec t : List.of(TopicSpec.stream("a"), TopicSpec.testBatches("b"), TopicSpec.epochMarkers("c"))) {
            assertEquals(1, t.partitions(), t.name());
            assertEquals(
                    String.valueOf(TopicSpec.BATCH_MAX_MESSAGE_BYTES),
                    t.configs().get("max.message.bytes"));
        }
    }
}
