package dev.cifarpipeline.events.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
        scan(KafkaClients.reader(kafka, clientId), topic, null, stallLimit, r -> {
            each.accept(r);
            return false;
        });
    }

    /**
     * Whether {@code topic} holds any record keyed {@code key}, committed or not (a question of existence: an open
     * transaction of another writer, which would hide every later record from a read-committed reader until it
     * ends, must not hide this key's). Reads only the partition the default partitioner gives the key (as every
     * keyed writer of the pipeline uses; the pipeline's topics never gain partitions) and stops at the first match.
     */
    public static boolean anyOfKey(
            Map<String, Object> kafka, String topic, String key, String clientId, Duration stallLimit) {
        Map<String, Object> uncommitted = new HashMap<>(KafkaClients.reader(kafka, clientId));
        uncommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        return scan(uncommitted, topic, key, stallLimit, r -> key.equals(r.key()));
    }

    /**
     * Reads {@code topic} (only {@code key}'s partition when a key is given) from its beginning to the end it has now,
     * handing each record to {@code stop}; true as soon as {@code stop} does, false at the end.
     */
    private static boolean scan(
            Map<String, Object> config,
            String topic,
            String key,
            Duration stallLimit,
            Predicate<ConsumerRecord<String, byte[]>> stop) {
        long until = System.nanoTime() + stallLimit.toNanos();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, stallLimit);
            if (partitions == null || partitions.isEmpty()) {
                return false;
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
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && stop.test(r)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
