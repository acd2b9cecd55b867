package dev.cifarpipeline.evaluator.stream;

import dev.cifarpipeline.evaluator.results.ResultBook;
import dev.cifarpipeline.evaluator.results.ResultLog;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointChunk;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecord;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.ConsumerLoop;
import dev.cifarpipeline.events.kafka.GroupMembership;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;

/**
 * The checkpoints topic, read by the evaluators' consumer group: partitions are shared among evaluators, and a
 * run's checkpoints, keyed by run, stay in one partition and so are scored in order.
 *
 * <p>Every checkpoint is scored exactly once, across crashes and stalls: the committed offset never passes the
 * first chunk of a checkpoint still being reassembled (so a restart reassembles it again); a result and the
 * commit past its checkpoint go out in one transaction, which the group refuses from an evaluator it has
 * replaced (one that stalled past {@code max.poll.interval.ms} while scoring: its result is discarded, the new
 * owner's counts); and a checkpoint whose result is already on the results topic is skipped. On taking over
 * partitions, the evaluator first reads the results topic to its end.
 */
public final class CheckpointStream implements AutoCloseable {
    /** What happens to a verified checkpoint, and to records that cannot be used. */
    public interface Handler {
        /**
         * Scores, then publishes the result together with {@code commit} ({@link EvaluatorOutputs#result}); returns
         * whether it was published, false when the group had given the partition to another evaluator meanwhile.
         */
        boolean score(VerifiedCheckpoint checkpoint, CommitPoint commit) throws InterruptedException;

        void reject(ConsumerRecord<String, byte[]> record, String reason);
    }

    /** The offsets that move the group past a checkpoint, and the group membership they are committed under. */
    public record CommitPoint(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {}

    /** What became of a record: handled (its offset still to commit), committed with its result, or fenced. */
    private enum Outcome {
        HANDLED,
        COMMITTED,
        FENCED
    }

    private final String clientId;
    private final ResultBook results;
    private final ResultLog resultLog;
    private final Handler handler;
    private final Consumer<String> log;
    private final CheckpointAssembler assembler;
    private final CommitWatermark watermark = new CommitWatermark();
    private final ConsumerLoop loop;
    private volatile boolean joined;

    public CheckpointStream(
            Map<String, Object> kafka,
            String topic,
            GroupMembership membership,
            CheckpointAssembler assembler,
            ResultBook results,
            ResultLog resultLog,
            Handler handler,
            Consumer<String> log) {
        this.clientId = membership.clientId();
        this.assembler = assembler;
        this.results = results;
        this.resultLog = resultLog;
        this.handler = handler;
        this.log = log;
        Map<String, Object> config = membership.config(kafka);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        // Scoring a big checkpoint on a slow machine happens between polls (a kafka.max.poll.interval.ms setting
        // overrides this).
        config.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int)
                Duration.ofMinutes(15).toMillis());
        this.loop = new ConsumerLoop(
                "checkpoint-stream",
                config,
                Duration.ofMillis(500),
                new ConsumerLoop.Body() {
                    @Override
                    public void open(KafkaConsumer<String, byte[]> consumer) {
                        consumer.subscribe(List.of(topic), new Listener());
                    }

                    @Override
                    public void polled(KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records)
                            throws InterruptedException {
                        for (ConsumerRecord<String, byte[]> r : records) {
                            Outcome outcome = handle(consumer, r);
                            if (outcome == Outcome.HANDLED && !commit(consumer, r)) {
                                outcome = Outcome.FENCED;
                            }
                            if (outcome == Outcome.FENCED) {
                                // The group refused a commit: this member was replaced, or a rebalance is under way.
                                // The rest of
                                // the batch is left; whatever partitions it keeps or gets back are read again from the
                                // committed
                                // offsets (chunks read twice replace themselves, checkpoints scored are skipped).
                                log.accept("evaluator " + clientId
                                        + " could not commit (replaced in the group, or a rebalance is "
                                        + "under way); it reads its partitions again from their committed offsets");
                                rewind(consumer, records.partitions());
                                return;
                            }
                        }
                    }
                },
                log);
    }

    public void start() {
        loop.start();
    }

    private Outcome handle(KafkaConsumer<String, byte[]> c, ConsumerRecord<String, byte[]> r)
            throws InterruptedException {
        Optional<VerifiedCheckpoint> verified;
        try {
            CheckpointRecord record = CheckpointRecordCodec.decode(r.value());
            if (results.contains(record.checkpointId())) {
                // decided before reassembly: a checkpoint read again after a takeover costs no memory
                if (record instanceof CheckpointManifest m) {
                    log.accept("checkpoint " + m.checkpointId() + " of run " + m.runId()
                            + " was scored already; not scoring it again");
                }
                return Outcome.HANDLED;
            }
            if (record instanceof CheckpointChunk chunk) {
                watermark.chunk(chunk.checkpointId(), r.partition(), r.offset());
            } else {
                watermark.complete(((CheckpointManifest) record).checkpointId());
            }
            verified = assembler.accept(record);
        } catch (RecordFormatException e) {
            reject(r, e.getMessage());
            return Outcome.HANDLED;
        } catch (RuntimeException | Error e) {
            // A record must never stop the stream: whatever it makes fail is its own dead letter, and the next is read.
            reject(r, "the record could not be read: " + e);
            return Outcome.HANDLED;
        }
        if (verified.isEmpty()) {
            return Outcome.HANDLED;
        }
        CheckpointManifest m = verified.get().manifest();
        if (results.contains(m.checkpointId())) {
            log.accept("checkpoint " + m.checkpointId() + " of run " + m.runId()
                    + " was scored already; not scoring it again");
            return Outcome.HANDLED;
        }
        CommitPoint commit = new CommitPoint(
                Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(safeOffset(r))),
                c.groupMetadata());
        try {
            if (!handler.score(verified.get(), commit)) {
                log.accept("checkpoint " + m.checkpointId() + " of run " + m.runId()
                        + ": the group refused the commit of its result "
                        + "(another evaluator took the partition over while this one scored, or a rebalance is under way); the result "
                        + "was discarded and the partition's owner scores the checkpoint");
                return Outcome.FENCED;
            }
            return Outcome.COMMITTED;
        } catch (RecordFormatException | IllegalArgumentException e) {
            reject(r, e.getMessage());
            return Outcome.HANDLED;
        }
    }

    private void reject(ConsumerRecord<String, byte[]> r, String reason) {
        log.accept("checkpoint record at " + r.topic() + "-" + r.partition() + "@" + r.offset()
                + " rejected, sent to the dead-letter topic: " + reason);
        handler.reject(r, reason);
    }

    /** Commits past {@code r} as far as {@link #safeOffset} allows; false when the group no longer counts this member in. */
    private boolean commit(KafkaConsumer<String, byte[]> c, ConsumerRecord<String, byte[]> r) {
        try {
            c.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(safeOffset(r))));
            return true;
        } catch (CommitFailedException | RebalanceInProgressException | FencedInstanceIdException e) {
            return false;
        }
    }

    /** Back to the committed offsets (the earliest where none is) of {@code partitions}, for those this member still holds. */
    private void rewind(KafkaConsumer<String, byte[]> c, Set<TopicPartition> partitions) {
        try {
            Set<TopicPartition> held = new HashSet<>(partitions);
            held.retainAll(c.assignment());
            Map<TopicPartition, OffsetAndMetadata> committed = c.committed(held);
            for (TopicPartition tp : held) {
                OffsetAndMetadata o = committed.get(tp);
                if (o == null) {
                    c.seekToBeginning(List.of(tp));
                } else {
                    c.seek(tp, o);
                }
            }
        } catch (KafkaException e) {
            // the next poll rejoins the group; partitions given afresh start from their committed offsets anyway
            log.accept("evaluator " + clientId + " could not read its committed offsets back: " + e.getMessage());
        }
    }

    private long safeOffset(ConsumerRecord<String, byte[]> r) {
        return watermark.safeOffset(r.partition(), r.offset(), assembler.pendingIds());
    }

    public boolean joined() {
        return joined && loop.failure() == null && !loop.closed();
    }

    public boolean alive() {
        return loop.alive();
    }

    public Throwable failure() {
        return loop.failure();
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                try {
                    resultLog.catchUp(Duration.ofMinutes(2)); // which of their checkpoints were scored already
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                log.accept("evaluator " + clientId + " now also scores checkpoint partitions "
                        + partitions.stream()
                                .map(TopicPartition::partition)
                                .sorted()
                                .toList());
            }
            joined = true;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Chunks held for these partitions are reassembled by the next owner from the committed offset.
            watermark.revoked(partitions.stream().map(TopicPartition::partition).toList());
        }
    }
}
