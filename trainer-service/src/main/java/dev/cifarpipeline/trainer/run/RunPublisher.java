package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.kafka.ClaimHeaders;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.trainer.training.Checkpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What one run writes, each checkpoint and each event in a Kafka transaction of the run's own transactional id
 * ({@link #transactionalId}). Whichever trainer opens a run's publisher last owns the run's writes: opening it
 * fences every earlier producer of that id, and the broker aborts a transaction such a producer had open. So a
 * checkpoint half published by a trainer killed mid-publication is never seen by readers of committed records (as
 * every reader here reads), and a trainer whose run moved on while it was paused or cut off cannot publish a
 * checkpoint or an event of that run again: its next commit fails with {@link Fenced}.
 *
 * <p>A broker that cannot be reached is waited for, however long: a transaction that failed transiently is
 * aborted and published again, with pauses growing to {@link KafkaClients#MAX_RETRY_PAUSE}, until it is committed, the producer is
 * fenced, or {@code claimLost} says the run is no longer this trainer's to write.
 */
public final class RunPublisher implements AutoCloseable {
    /**
     * This trainer may no longer write the run: another trainer opened its publisher since, its claim is lost, or it
     * was asked to stop before its publisher could open.
     */
    public static final class Fenced extends RuntimeException {
        Fenced(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Map<String, Object> config;
    private final PipelineTopics topics;
    private final String runId;
    private final BooleanSupplier claimLost;
    private final ClaimCheck owner;
    private final BooleanSupplier stopRequested;
    private final Consumer<String> log;
    private final String trainerId;
    /** This claim's id, on every record it writes ({@link ClaimHeaders}). */
    private final String claim = UUID.randomUUID().toString();

    private KafkaProducer<String, byte[]> producer;

    /** The transactional id of {@code runId}'s writes: one per run, shared by every trainer that ever owns it. */
    public static String transactionalId(PipelineTopics topics, String runId) {
        return topics.runGroupPrefix() + runId;
    }

    /**
     * Opens the run's transactional producer, fencing any other trainer's; waits for the broker while it cannot be
     * reached.
     *
     * @param claimLost what this trainer's claims consumer last heard: the run's partition was taken away
     * @param owner asked before every opening, since opening fences whoever holds the run's producer now
     * @throws Fenced if {@code claimLost} turns true, or {@code owner} says the run is another trainer's, before the
     *     producer is open
     */
    public RunPublisher(
            Map<String, Object> kafka,
            PipelineTopics topics,
            String runId,
            String trainerId,
            BooleanSupplier claimLost,
            ClaimCheck owner,
            BooleanSupplier stopRequested,
            Consumer<String> log)
            throws InterruptedException {
        this.config = TrainerOutputs.producerConfig(kafka, trainerId + "-" + runId);
        this.trainerId = trainerId;
        this.config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(topics, runId));
        this.topics = topics;
        this.runId = runId;
        this.claimLost = claimLost;
        this.owner = owner;
        this.stopRequested = stopRequested;
        this.log = log;
        open();
    }

    /**
     * Opens the producer; while the broker is away it tries again, but not once the run is asked to stop: opening
     * late, after the run moved on, would fence the trainer that owns it now. For the same reason it opens only once
     * the trainers' group confirms the run is still this trainer's: its own claims consumer may not know yet that the
     * run moved (this trainer was paused, or cut off).
     */
    private void open() throws InterruptedException {
        Duration pause = KafkaClients.FIRST_RETRY_PAUSE;
        while (true) {
            checkClaim("open its producer", null);
            if (producer == null && stopRequested.getAsBoolean()) {
                throw new Fenced(
                        "run " + runId + ": asked to stop before its producer could open; not opening it", null);
            }
            ClaimCheck.Answer answer = owner.ask();
            if (answer == ClaimCheck.Answer.LOST) {
                throw new Fenced(
                        "run " + runId + ": the trainers' group gives the run to another trainer now; not opening its "
                                + "producer (that would fence the run's owner)",
                        null);
            }
            if (answer == ClaimCheck.Answer.HELD) {
                producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
                try {
                    producer.initTransactions();
                    return;
                } catch (KafkaException e) {
                    producer.close(Duration.ZERO);
                    producer = null;
                    if (!KafkaClients.transientFailure(e)) {
                        throw new IllegalStateException(
                                "run " + runId + ": cannot open its transactional producer: " + e.getMessage(), e);
                    }
                    log.accept("run " + runId + ": cannot reach the broker to open its producer (" + e.getMessage()
                            + "); trying again in " + pause.toSeconds() + " s");
                }
            } else {
                log.accept("run " + runId + ": the trainers' group cannot confirm the run is this trainer's yet "
                        + "(rebalancing, or the broker is away); asking again in " + pause.toSeconds() + " s");
            }
            Thread.sleep(pause.toMillis());
            pause = KafkaClients.longerPause(pause);
        }
    }

    /** Every chunk and then the manifest, keyed by run (one partition, in order), in one transaction. */
    public void checkpoint(Checkpoint checkpoint, int chunkBytes) throws InterruptedException {
        String key = checkpoint.manifest().runId();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (byte[] record : CheckpointChunker.records(checkpoint.manifest(), checkpoint.bytes(), chunkBytes)) {
            records.add(record(topics.checkpoints(), key, record));
        }
        publish("checkpoint " + checkpoint.manifest().checkpointId(), records);
    }

    public void event(TrainingEvent event) throws InterruptedException {
        publish(event.type() + " event", List.of(record(topics.trainingEvents(), event.runId(), event.toJson())));
    }

    private ProducerRecord<String, byte[]> record(String topic, String key, byte[] value) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        ClaimHeaders.add(r.headers(), trainerId, claim);
        return r;
    }

    private void publish(String what, List<ProducerRecord<String, byte[]>> records) throws InterruptedException {
        Duration pause = KafkaClients.FIRST_RETRY_PAUSE;
        while (true) {
            checkClaim("publish its " + what, null);
            KafkaException failure;
            try {
                producer.beginTransaction();
                List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
                for (ProducerRecord<String, byte[]> r : records) {
                    acks.add(producer.send(r));
                }
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                }
                commit(what);
                return;
            } catch (ExecutionException e) {
                failure = e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
            } catch (KafkaException e) {
                failure = e;
            }
            if (fenced(failure)) {
                throw fencedBy(what, failure);
            }
            if (!KafkaClients.transientFailure(failure)
                    && !KafkaClients.causedBy(failure, InvalidProducerEpochException.class)) {
                abortQuietly(failure);
                throw new IllegalStateException(
                        "run " + runId + ": cannot publish its " + what + ": " + failure.getMessage(), failure);
            }
            log.accept("run " + runId + ": its " + what + " was not published (" + failure.getMessage()
                    + "); aborted, publishing it again in " + pause.toSeconds() + " s");
            abort(what);
            Thread.sleep(pause.toMillis());
            pause = KafkaClients.longerPause(pause);
        }
    }

    /** Commits, asking again after a timeout (the producer allows exactly that) for as long as the broker is away. */
    private void commit(String what) throws InterruptedException {
        Duration pause = KafkaClients.FIRST_RETRY_PAUSE;
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                checkClaim("commit its " + what, e);
                log.accept("run " + runId + ": committing its " + what + " timed out; asking again in "
                        + pause.toSeconds() + " s");
                Thread.sleep(pause.toMillis());
                pause = KafkaClients.longerPause(pause);
            }
        }
    }

    /** Aborts the open transaction; a producer left unusable is replaced (which also aborts it, broker side). */
    private void abort(String what) throws InterruptedException {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            if (fenced(e)) {
                throw fencedBy(what, e);
            }
            log.accept("run " + runId + ": aborting failed (" + e.getMessage() + "); opening its producer again");
            producer.close(Duration.ZERO);
            producer = null;
            open();
        }
    }

    private void abortQuietly(KafkaException failure) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            failure.addSuppressed(e);
        }
    }

    private void checkClaim(String doing, Throwable cause) {
        if (claimLost.getAsBoolean()) {
            throw new Fenced(
                    "run " + runId + ": its claim is lost (another trainer owns the run now); not going to " + doing,
                    cause);
        }
    }

    private Fenced fencedBy(String what, Throwable cause) {
        return new Fenced(
                "run " + runId + ": its " + what + " was refused: a newer producer of the run's transactional id "
                        + "was opened since (another owner of the run), so this one is fenced",
                cause);
    }

    /**
     * Only a newer producer of the run's id fences this one. (An invalid producer epoch means the coordinator expired
     * this producer's transaction, e.g. across a long outage: abort and publish again.)
     */
    private static boolean fenced(Throwable e) {
        return KafkaClients.causedBy(e, ProducerFencedException.class);
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
