package dev.cifarpipeline.trainer.run;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A run's position in the batch stream as a checkpoint stores it ({@code TrainingState.nextOffsets}: the offset to
 * read next per {@code "topic:partition"}, plain strings so the checkpoint format does not depend on Kafka's
 * classes) and as the worker uses it (per {@link TopicPartition}).
 */
public final class StreamOffsets {
    private StreamOffsets() {}

    public static Map<String, Long> encode(Map<TopicPartition, Long> positions) {
        Map<String, Long> out = new HashMap<>();
        positions.forEach((tp, offset) -> out.put(tp.topic() + ":" + tp.partition(), offset));
        return Map.copyOf(out);
    }

    /** The positions a checkpoint stored; a key that is not {@code topic:partition} names itself in the error. */
    public static Map<TopicPartition, Long> decode(Map<String, Long> stored) {
        Map<TopicPartition, Long> out = new HashMap<>();
        stored.forEach((key, offset) -> {
            int colon = key.lastIndexOf(':');
            try {
                out.put(
                        new TopicPartition(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1))),
                        offset);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("checkpoint offset key '" + key + "' is not topic:partition", e);
            }
        });
        return out;
    }
}
