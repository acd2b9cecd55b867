package dev.cifarpipeline.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reading a topic from its start as tests check it, with any client settings: the in-process broker's, a
 * broker process of the test's own, a secured one. A fresh group each time, nothing committed, committed records only.
 */
public final class TopicReads {
    private TopicReads() {}

    /** Reads {@code topic} from its start until {@code done} holds for what was read, or the timeout. */
    public static List<ConsumerRecord<String, byte[]>> readUntil(
            Map<String, Object> client,
            String topic,
            Duration timeout,
            Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        return read(client, topic, timeout, done, 0);
    }

    /**
     * As {@link #readUntil}, then on to the topic's end offsets and until three polls in a row bring nothing: for checks
     * that the topic holds no more than it should (no record twice), not only what it should. Fails if the end is not
     * reached within {@code timeout}, rather than return part of the topic.
     */
    public static List<ConsumerRecord<String, byte[]>> readUntilThenDrain(
            Map<String, Object> client,
            String topic,
            Duration timeout,
            Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        return read(client, topic, timeout, done, 3);
    }

    private static List<ConsumerRecord<String, byte[]>> read(
            Map<String, Object> client,
            String topic,
            Duration timeout,
            Predicate<List<ConsumerRecord<String, byte[]>>> done,
            int quietPolls) {
        Map<String, Object> c = new HashMap<>(client);
        c.remove("group.id"); // no group: a reader needs no right on any group (a secured broker's viewer has none)
        c.put("enable.auto.commit", false);
        c.put("max.partition.fetch.bytes", 4 << 20);
        c.put(
                "isolation.level",
                "read_committed"); // as the services read (KafkaClients.ISOLATION): aborted results do not count
        c.put(
                "allow.auto.create.topics",
                false); // a topic read before a service created it must not appear with defaults
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            while (partitions.isEmpty() && System.nanoTime() < deadline) { // a topic not created yet shows none
                List<org.apache.kafka.common.PartitionInfo> infos;
                try {
                    infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                } catch (org.apache.kafka.common.errors.TimeoutException brokerAway) {
                    continue; // a broker restarting (a fault test's) answers once it is back: ask again until the
                    // deadline
                }
                if (infos == null || infos.isEmpty()) {
                    sleep(Duration.ofMillis(500));
                    continue;
                }
                infos.forEach(i -> partitions.add(new org.apache.kafka.common.TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < deadline && !done.test(records)) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            if (quietPolls > 0) {
                // Drains to the end offsets as they are now, then on until quiet. Empty polls alone do not mean the
                // end: a read_committed reader skipping a large aborted transaction (a fenced trainer's checkpoint)
                // gets empty polls for as long as it takes to fetch past it.
                Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("reading " + topic + " to its end offsets " + ends
                                + " took longer than " + timeout + ": what was read is not the whole topic");
                    }
                    consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                }
                int quiet = 0;
                while (System.nanoTime() < deadline && quiet < quietPolls) {
                    var polled = consumer.poll(Duration.ofMillis(500));
                    quiet = polled.isEmpty() ? quiet + 1 : 0;
                    polled.forEach(records::add);
                }
            }
        }
        return records;
    }

    /**
     * How many offsets {@code topic} has used, over all its partitions (its end offsets): for a topic written without
     * transactions, how many records were ever written to it; 0 for a topic that does not exist.
     */
    public static long endOffsets(Map<String, Object> client, String topic) {
        Map<String, Object> c = new HashMap<>(client);
        c.put("allow.auto.create.topics", false);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null) {
                return 0;
            }
            infos.forEach(p -> partitions.add(new org.apache.kafka.common.TopicPartition(topic, p.partition())));
            return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a topic", e);
        }
    }
}
