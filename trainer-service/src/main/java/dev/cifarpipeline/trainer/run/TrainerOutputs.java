package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What a trainer writes outside its runs' transactions ({@link RunPublisher} writes a run's checkpoints and
 * events): run specs, dead letters, and the STOPPED event of a run stopped while no trainer held it. One
 * idempotent producer; each write returns once the broker acknowledged it.
 */
public final class TrainerOutputs implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final PipelineTopics topics;

    public TrainerOutputs(Map<String, Object> kafka, PipelineTopics topics, String clientId) {
        this.producer =
                new KafkaProducer<>(producerConfig(kafka, clientId), new StringSerializer(), new ByteArraySerializer());
        this.topics = topics;
    }

    /** A trainer's producer settings: every write acknowledged by all in-sync replicas, idempotent, unbatched. */
    public static Map<String, Object> producerConfig(Map<String, Object> kafka, String clientId) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                TopicSpec.DEAD_LETTER_MAX_MESSAGE_BYTES); // the largest record it may forward
        config.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("auto.") || k.endsWith(".deserializer"));
        return config;
    }

    public void event(TrainingEvent event) {
        KafkaClients.await(
                producer.send(new ProducerRecord<>(topics.trainingEvents(), event.runId(), event.toJson())),
                event.type() + " event of " + event.runId());
    }

    /** Forwards a record that could not be used, as it was, with the reason and its origin in headers. */
    public void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        KafkaClients.await(
                producer.send(DeadLetter.forward(record, reason, topics.deadLetter())),
                "dead letter from " + record.topic() + "@" + record.offset());
    }

    /** Publishes {@code value} to {@code topic} at {@code partition}; for run specs, whose partition is their trainer. */
    public void send(String topic, int partition, String key, byte[] value) {
        KafkaClients.await(
                producer.send(new ProducerRecord<>(topic, partition, key, value)),
                "record " + key + " to " + topic + "-" + partition);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
