package dev.cifarpipeline.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.testsupport.InProcessKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topics on a real broker: {@link TopicSpec#ensure} returns only once the broker serves what it created, and
 * {@link KafkaClients#partitions} waits for a topic that is about to appear instead of answering "no partitions"
 * (a consumer assigned none cannot poll).
 */
@Timeout(120)
class TopicSetupTest {
    private static InProcessKafka kafka;

    @BeforeAll
    static void broker() throws Exception {
        kafka = new InProcessKafka();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Test
    void ensuredTopicsAreServedWithAllTheirPartitionsAtOnce() throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig());
                KafkaConsumer<String, byte[]> consumer = reader()) {
            List<String> created = TopicSpec.ensure(
                    admin,
                    List.of(TopicSpec.checkpoints("ensured-checkpoints", 6), TopicSpec.events("ensured-results", 3)));
            assertEquals(List.of("ensured-checkpoints", "ensured-results"), created);
            assertEquals(
                    6,
                    consumer.partitionsFor("ensured-checkpoints", Duration.ofSeconds(5))
                            .size());
            assertEquals(
                    3,
                    consumer.partitionsFor("ensured-results", Duration.ofSeconds(5))
                            .size());
            assertEquals(
                    List.of(),
                    TopicSpec.ensure(admin, List.of(TopicSpec.events("ensured-results", 3))),
                    "exists: nothing created");
        }
    }

    @Test
    void partitionsWaitsForATopicCreatedAfterTheAsking() throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig());
                KafkaConsumer<String, byte[]> consumer = reader()) {
            Thread creator = new Thread(() -> {
                try {
                    Thread.sleep(1_500);
                    TopicSpec.ensure(admin, List.of(TopicSpec.events("late-topic", 4)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            creator.start();
            List<TopicPartition> partitions = KafkaClients.partitions(consumer, "late-topic", Duration.ofSeconds(30));
            creator.join();
            assertEquals(
                    List.of(0, 1, 2, 3),
                    partitions.stream().map(TopicPartition::partition).toList());
        }
    }

    @Test
    void partitionsOfATopicThatNeverAppearsFailNamingIt() {
        try (KafkaConsumer<String, byte[]> consumer = reader()) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> KafkaClients.partitions(consumer, "never-created", Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("topic never-created does not exist"), e.getMessage());
            assertTrue(
                    consumer.listTopics(Duration.ofSeconds(5)).keySet().stream().noneMatch("never-created"::equals),
                    "asking did not create it");
        }
    }

    private static KafkaConsumer<String, byte[]> reader() {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
