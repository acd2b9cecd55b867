package dev.cifarpipeline.evaluator.stream;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.ServiceAccess;
import dev.cifarpipeline.events.kafka.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the evaluator writes. A result goes out in a Kafka transaction together with the evaluators' group
 * moving past its checkpoint, so the two happen together or not at all; and the group fences the transaction
 * of an evaluator it no longer counts as the partition's owner (one that stalled while scoring and was replaced),
 * so a checkpoint never has two results for readers of committed records ({@link KafkaClients#ISOLATION}, as every reader
 * of results reads).
 * Dead letters go through a plain idempotent producer of their own. Each write returns once the broker
 * acknowledged it.
 */
public final class EvaluatorOutputs implements AutoCloseable {
    private final Map<String, Object> transactionalConfig;
    private final java.util.function.Consumer<String> log;
    private volatile KafkaProducer<String, byte[]> results;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final String resultTopic;
    private final String deadLetterTopic;

    public EvaluatorOutputs(
            Map<String, Object> kafka,
            String resultTopic,
            String deadLetterTopic,
            String clientId,
            java.util.function.Consumer<String> log) {
        this.log = log;
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        Map<String, Object> transactional = new HashMap<>(config);
        transactional.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-results");
        // Unique per evaluator; the fencing of a stale owner comes from the group's generation (KIP-447), not this id.
        transactional.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, ServiceAccess.EVALUATOR_TRANSACTION_PREFIX + clientId);
        this.transactionalConfig = Map.copyOf(transactional);
        this.results = new KafkaProducer<>(transactional, new StringSerializer(), new ByteArraySerializer());
        Map<String, Object> plain = new HashMap<>(config);
        plain.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-dead-letters");
        plain.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                TopicSpec.DEAD_LETTER_MAX_MESSAGE_BYTES); // the largest record it may forward
        this.deadLetters = new KafkaProducer<>(plain, new StringSerializer(), new ByteArraySerializer());
        this.resultTopic = resultTopic;
        this.deadLetterTopic = deadLetterTopic;
        try {
            results.initTransactions();
        } catch (KafkaException e) {
            close();
            throw new IllegalStateException("cannot start the results producer's transactions: " + e.getMessage(), e);
        }
    }

    /**
     * Publishes {@code result} and commits {@code offsets} for {@code group} in one transaction. Returns false, the
     * transaction aborted, when the group refused the offsets because this member no longer owns the partition:
     * the checkpoint's new owner scores it. A commit that times out is asked again, as long as the broker is away;
     * any other failure aborts the transaction and is thrown (a transient one is waited out by the stream, which
     * reads the checkpoint again).
     */
    public synchronized boolean result(
            EvaluationResult result, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group)
            throws InterruptedException {
        try {
            results.beginTransaction();
            results.send(new ProducerRecord<>(resultTopic, result.runId(), result.toJson()));
            results.sendOffsetsToTransaction(offsets, group);
            commit(result);
            return true;
        } catch (KafkaException e) {
            boolean fenced = fencedByTheGroup(e);
            try {
                results.abortTransaction();
            } catch (KafkaException abort) {
                e.addSuppressed(abort);
                reopen(); // a producer that cannot abort is replaced; opening it again aborts the transaction
            }
            if (fenced) {
                return false;
            }
            if (KafkaClients.transientFailure(e)) {
                throw e;
            }
            throw new IllegalStateException(
                    "cannot publish the result of " + result.checkpointId() + ": " + e.getMessage(), e);
        }
    }

    private void commit(EvaluationResult result) throws InterruptedException {
        while (true) {
            try {
                results.commitTransaction();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.accept("committing the result of " + result.checkpointId() + " timed out; asking again");
                Thread.sleep(1000);
            }
        }
    }

    /** Replaces the results producer, waiting for the broker as long as it is away. */
    private void reopen() throws InterruptedException {
        results.close(Duration.ZERO);
        while (true) {
            KafkaProducer<String, byte[]> fresh =
                    new KafkaProducer<>(transactionalConfig, new StringSerializer(), new ByteArraySerializer());
            try {
                fresh.initTransactions();
                results = fresh;
                return;
            } catch (KafkaException e) {
                fresh.close(Duration.ZERO);
                if (!KafkaClients.transientFailure(e)) {
                    throw e;
                }
                log.accept("cannot reopen the results producer yet (" + e.getMessage() + "); trying again");
                Thread.sleep(2000);
            }
        }
    }

    private static boolean fencedByTheGroup(Throwable e) {
        return KafkaClients.causedBy(
                e, CommitFailedException.class, FencedInstanceIdException.class, RebalanceInProgressException.class);
    }

    public void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        KafkaClients.await(
                deadLetters.send(DeadLetter.forward(record, reason, deadLetterTopic)),
                "dead letter from " + record.topic() + "@" + record.offset());
    }

    @Override
    public void close() {
        results.close(Duration.ofSeconds(10));
        deadLetters.close(Duration.ofSeconds(10));
    }
}
