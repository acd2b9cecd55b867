package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.DeadLetter;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.KafkaClients;
import dev.cifarpipeline.events.TopicSpec;
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
 * What the evaluator writes: results (keyed by run) and dead letters, through one idempotent producer. Each
 * write returns once the broker acknowledged it: a result counts as published only then, which is what the
 * exactly-once bookkeeping relies on.
 */
public final class EvaluatorOutputs implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String resultTopic;
    private final String deadLetterTopic;

    public EvaluatorOutputs(Map<String, Object> kafka, String resultTopic, String deadLetterTopic, String clientId) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicSpec.DEAD_LETTER_MAX_MESSAGE_BYTES); // the largest record it may forward
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.resultTopic = resultTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    public void result(EvaluationResult result) {
        KafkaClients.await(producer.send(new ProducerRecord<>(resultTopic, result.runId(), result.toJson())), "result of " + result.checkpointId());
    }

    public void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        KafkaClients.await(producer.send(DeadLetter.forward(record, reason, deadLetterTopic)), "dead letter from " + record.topic() + "@" + record.offset());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
