package dev.cifarpipeline.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StreamOffsetsTest {
    @Test
    void positionsSurviveTheCheckpointsStringForm() {
        Map<TopicPartition, Long> positions =
                Map.of(new TopicPartition("cifar.train.batches", 0), 41L, new TopicPartition("a:b", 12), 7L);
        Map<String, Long> stored = StreamOffsets.encode(positions);
        assertEquals(Map.of("cifar.train.batches:0", 41L, "a:b:12", 7L), stored);
        assertEquals(positions, StreamOffsets.decode(stored));
    }

    @Test
    void aKeyThatIsNotTopicColonPartitionIsNamed() {
        assertEquals(
                "checkpoint offset key 'cifar.train.batches' is not topic:partition",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> StreamOffsets.decode(Map.of("cifar.train.batches", 1L)))
                        .getMessage());
    }
}
