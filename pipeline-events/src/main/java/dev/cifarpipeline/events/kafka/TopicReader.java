package dev.cifarpipeline.events.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from its start to the end it has now, without a consumer group: how a service learns the
 * state that lives only in Kafka (checkpoints, run specs, run events). Records arrive one at a time, so a
 * caller that keeps little holds little. A read may take as long as the topic needs, but one that makes no progress
 * for its stall limit (the broker away) fails with a {@link TimeoutException}, which callers treat as transient.
 */
public final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(500);

    private TopicReader() {}

    /** How long a read may go without progress by default. */
    public static final Duration STALL_LIMIT = Duration.ofMinutes(1);

    /** Hands every record now in {@code topic} to {@code each}, partition by partition in offset order; a missing topic has none. */
    public static void forEach(
            Map<String, Object> kafka, String topic, String clientId, Consumer<ConsumerRecord<String, byte[]>> each) {
        forEach(kafka, topic, clientId, STALL_LIMIT, each);
    }

    /**
     * As {@link #forEach(Map, String, String, Consumer)}, failing with a {@link TimeoutException} after {@code stallLimit}
     * without progress.
     */
    public static void forEach(
            Map<String, Object> kafka,
            String topic,
            String clientId,
            Duration stallLimit,
            Consumer<ConsumerRecord<String, byte[]>> each) {
        read(kafka, topic, null, clientId, stallLimit, each);
    }

    /**
     * The records keyed {@code key} now in {@code topic}, in offset order, read from the one partition the default
     * partitioner gives that key (as every keyed writer of the pipeline does); as {@link #forEach} otherwise.
     */
    public static void forEachOfKey(
            Map<String, Object> kafka,
            String topic,
            String key,
            String clientId,
            Duration stallLimit,
            Consumer<ConsumerRecord<String, byte[]>> each) {
        read(kafka, topic, key, clientId, stallLimit, r -> {
            if (key.equals(r.key())) {
                each.accept(r);
            }
        });
    }

    private static void read(
            Map<String, Object> kafka,
            String topic,
            String key,
            String clientId,
            Duration stallLimit,
            Consumer<ConsumerRecord<String, byte[]>> each) {
        long until = System.nanoTime() + stallLimit.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaClients.reader(kafka, clientId), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, stallLimit);
            if (partitions == null || partitions.isEmpty()) {
                return;
            }
            List<TopicPartition> assigned = new ArrayList<>();
            if (key == null) {
                partitions.forEach(p -> assigned.add(new TopicPartition(topic, p.partition())));
            } else {
                assigned.add(new TopicPartition(topic, CheckpointSearch.partitionOf(key, partitions.size())));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, stallLimit);
            while (assigned.stream().anyMatch(tp -> consumer.position(tp, stallLimit) < end.get(tp))) {
                if (System.nanoTime() > until) {
                    throw new TimeoutException(
                            "reading " + topic + " made no progress for " + stallLimit.toSeconds() + " s");
                }
                var records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    until = System.nanoTime() + stallLimit.toNanos(); // progress: the stall clock starts again
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }
}
