package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.trainer.training.Checkpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Everything a trainer writes, through one idempotent producer shared by its runs: checkpoints (never through
 * a shared disk), training events and dead letters. Each write returns once the broker acknowledged it, so a
 * checkpoint counts as taken only when every chunk and its manifest are safely stored.
 */
public final class TrainerOutputs implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final PipelineTopics topics;

    public TrainerOutputs(Map<String, Object> kafka, PipelineTopics topics, String clientId) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                TopicSpec.DEAD_LETTER_MAX_MESSAGE_BYTES); // the largest record it may forward
        config.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("auto.") || k.endsWith(".deserializer"));
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.topics = topics;
    }

    /**
     * Chunks, then the manifest once every chunk is acknowledged, all keyed by run so they share a partition and
     * arrive in order.
     */
    public void checkpoint(Checkpoint checkpoint, int chunkBytes) {
        String key = checkpoint.manifest().runId();
        String id = checkpoint.manifest().checkpointId();
        List<byte[]> records = CheckpointChunker.records(checkpoint.manifest(), checkpoint.bytes(), chunkBytes);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (byte[] chunk : records.subList(0, records.size() - 1)) {
            acks.add(producer.send(new ProducerRecord<>(topics.checkpoints(), key, chunk)));
        }
        for (Future<RecordMetadata> ack : acks) {
            KafkaClients.await(ack, "checkpoint chunk of " + id);
        }
        KafkaClients.await(
                producer.send(new ProducerRecord<>(topics.checkpoints(), key, records.get(records.size() - 1))),
                "checkpoint manifest " + id);
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
