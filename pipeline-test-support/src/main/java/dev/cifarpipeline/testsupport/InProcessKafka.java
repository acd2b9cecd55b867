package dev.cifarpipeline.testsupport;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft broker (combined broker and controller) in the test's JVM, plus client helpers.
 * Tests across modules use this one class, so every test broker is configured alike.
 */
public final class InProcessKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    public InProcessKafka() throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", "1")
                .setConfigProp("auto.create.topics.enable", "true")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Client settings that reach this broker: what a service's {@code kafka.*} configuration would hold. */
    public Map<String, Object> clientConfig() {
        return new HashMap<>(Map.of("bootstrap.servers", bootstrapServers()));
    }

    /** Publishes one record and waits for its acknowledgement. */
    public void produce(String topic, String key, byte[] value) throws Exception {
        produceAll(topic, key, List.of(value));
    }

    /** Publishes records in order through one producer, all keyed {@code key}, and waits for every acknowledgement. */
    public void produceAll(String topic, String key, List<byte[]> values) throws Exception {
        produceKeyed(topic, values.stream().map(v -> Map.entry(key, v)).toList());
    }

    /** Publishes (key, value) records in order through one producer and waits for every acknowledgement. */
    public void produceKeyed(String topic, List<Map.Entry<String, byte[]>> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20); // the topic's own limit is the one that counts
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> r : records) {
                producer.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()))
                        .get();
            }
        }
    }

    /** Reads {@code topic} from the beginning until {@code done} holds for what was read, or the timeout. */
    public List<ConsumerRecord<String, byte[]>> readUntil(
            String topic, long timeoutMillis, Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        return TopicReads.readUntil(clientConfig(), topic, Duration.ofMillis(timeoutMillis), done);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
