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
 * caller that keeps little holds little. Every read has a deadline: a read that cannot reach the end in time
 * (the broker away) fails with a {@link TimeoutException}, which callers treat as transient.
 */
public final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(500);

    private TopicReader() {}

    /** How long a read of a topic may take by default. */
    public static final Duration DEADLINE = Duration.ofMinutes(1);

    /** Hands every record now in {@code topic} to {@code each}, partition by partition in offset order; a missing topic has none. */
    public static void forEach(
            Map<String, Object> kafka, String topic, String clientId, Consumer<ConsumerRecord<String, byte[]>> each) {
        forEach(kafka, topic, clientId, DEADLINE, each);
    }

    /** As {@link #forEach(Map, String, String, Consumer)}, failing with a {@link TimeoutException} past {@code deadline}. */
    public static void forEach(
            Map<String, Object> kafka,
            String topic,
            String clientId,
            Duration deadline,
            Consumer<ConsumerRecord<String, byte[]>> each) {
        long until = System.nanoTime() + deadline.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaClients.reader(kafka, clientId), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, deadline);
            if (partitions == null || partitions.isEmpty()) {
                return;
            }
            List<TopicPartition> assigned = new ArrayList<>();
            partitions.forEach(p -> assigned.add(new TopicPartition(topic, p.partition())));
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, deadline);
            while (assigned.stream().anyMatch(tp -> consumer.position(tp, deadline) < end.get(tp))) {
                if (System.nanoTime() > until) {
                    throw new TimeoutException("reading " + topic + " to its end took over " + deadline);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }
}
