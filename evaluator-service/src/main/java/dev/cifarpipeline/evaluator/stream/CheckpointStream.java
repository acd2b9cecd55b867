package dev.cifarpipeline.evaluator.stream;

import dev.cifarpipeline.evaluator.results.ResultBook;
import dev.cifarpipeline.evaluator.results.ResultLog;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointChunk;
import dev.cifarpipeline.events.checkpoint.CheckpointIntegrityException;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecord;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.CheckpointSearch;
import dev.cifarpipeline.events.kafka.ConsumerLoop;
import dev.cifarpipeline.events.kafka.GroupMembership;
import dev.cifarpipeline.events.kafka.KafkaClients;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
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
 *
 * <p>Nothing is dropped for want of room or time: a checkpoint the assembler deferred for want of room (others being reassembled) has
 * its chunks fetched again from the topic when its manifest comes ({@link CheckpointSearch#reassemble}); one that
 * cannot be scored yet ({@link NotReady}: no test set so far) is read again from the committed offsets; and a
 * transient failure (the broker away past a client timeout) rewinds the partitions to their committed offsets,
 * so what was not committed is read and scored again once the broker is back.
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

    /** The checkpoint cannot be scored yet (the test set is not complete): it is read again later, not dropped. */
    public static final class NotReady extends RuntimeException {
        public NotReady(String message) {
            super(message);
        }
    }

    /** How long a search for a deferred checkpoint's chunks may go without progress; a timeout is transient. */
    static final Duration REFETCH_STALL_LIMIT = Duration.ofMinutes(1);

    /** The offsets that move the group past a checkpoint, and the group membership they are committed under. */
    public record CommitPoint(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {}

    /**
     * What became of a record: handled (its offset still to commit), committed with its result, fenced, or not
     * scorable yet.
     */
    private enum Outcome {
        HANDLED,
        COMMITTED,
        FENCED,
        NOT_READY
    }

    private final String clientId;
    private final ResultBook results;
    private final ResultLog resultLog;
    private final Handler handler;
    private final Consumer<String> log;
    private final CheckpointAssembler assembler;
    private final CommitWatermark watermark = new CommitWatermark();
    private final ConsumerLoop loop;
    private final Map<String, Object> kafka;
    private volatile boolean joined;
    /** Partitions were assigned and the results topic is not known to be read to its end since. */
    private volatile boolean catchUpPending;

    static final Duration CATCH_UP_WAIT = Duration.ofMinutes(2);

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
        this.kafka = kafka;
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
                        if (catchUpPending) {
                            // the results topic must be read to its end before any record of a new partition is
                            // handled, or a checkpoint scored already would be scored again (a timeout is transient:
                            // the loop rewinds and tries again)
                            resultLog.catchUp(CATCH_UP_WAIT);
                            catchUpPending = false;
                        }
                        // The last record handled per partition whose offset is still to commit: one commit per
                        // poll, not per record (a checkpoint is thousands of chunk records at small chunk sizes).
                        Map<TopicPartition, ConsumerRecord<String, byte[]>> uncommitted = new HashMap<>();
                        ConsumerRecord<String, byte[]> last = last(records);
                        for (ConsumerRecord<String, byte[]> r : records) {
                            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                            Outcome outcome = handle(consumer, r);
                            if (outcome == Outcome.HANDLED) {
                                uncommitted.put(tp, r);
                            } else if (outcome == Outcome.COMMITTED) {
                                uncommitted.remove(tp); // its transaction committed the partition's offset
                            }
                            if (outcome != Outcome.FENCED
                                    && outcome != Outcome.NOT_READY
                                    && r == last
                                    && !commit(consumer, uncommitted.values())) {
                                outcome = Outcome.FENCED;
                            }
                            if (outcome == Outcome.FENCED || outcome == Outcome.NOT_READY) {
                                // The group refused a commit (this member was replaced, or a rebalance is under way),
                                // or a checkpoint cannot be scored yet. The rest of the batch is left; whatever
                                // partitions it keeps or gets back are read again from the committed offsets (chunks
                                // read twice replace themselves, checkpoints scored are skipped).
                                log.accept("evaluator " + clientId
                                        + (outcome == Outcome.FENCED
                                                ? " could not commit (replaced in the group, or a rebalance is under way)"
                                                : " has a checkpoint it cannot score yet")
                                        + "; it reads its partitions again from their committed offsets");
                                rewind(consumer, records.partitions());
                                return;
                            }
                        }
                    }

                    @Override
                    public void recover(KafkaConsumer<String, byte[]> consumer) {
                        rewind(consumer, consumer.assignment());
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
                verified = assembler.accept(record);
            } else if (assembler.deferred(record.checkpointId())) {
                try {
                    verified = refetch(r, (CheckpointManifest) record);
                } finally {
                    // whole or not (then its manifest is dead-lettered), it holds no slot and no commit back any more
                    assembler.forget(record.checkpointId());
                    watermark.complete(record.checkpointId());
                }
            } else {
                watermark.complete(record.checkpointId());
                verified = assembler.accept(record);
            }
        } catch (RecordFormatException e) {
            reject(r, e.getMessage());
            return Outcome.HANDLED;
        } catch (RuntimeException e) {
            if (KafkaClients.transientFailure(e)) {
                throw e; // the broker, not the record: the loop waits and rewinds, and the record is read again
            }
            reject(r, "the record could not be read: " + e);
            return Outcome.HANDLED;
        } catch (Error e) {
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
        } catch (NotReady e) {
            log.accept("checkpoint " + m.checkpointId() + " of run " + m.runId() + " waits: " + e.getMessage());
            return Outcome.NOT_READY;
        } catch (RecordFormatException | IllegalArgumentException e) {
            reject(r, e.getMessage());
            return Outcome.HANDLED;
        }
    }

    /**
     * The chunks of a checkpoint the assembler deferred for want of room, fetched again stepping back from its manifest;
     * failing whole, the manifest is dead-lettered with the reason.
     */
    private Optional<VerifiedCheckpoint> refetch(ConsumerRecord<String, byte[]> r, CheckpointManifest m) {
        log.accept("checkpoint " + m.checkpointId() + " of run " + m.runId() + " was deferred while "
                + assembler.pendingCheckpoints() + " others were being reassembled; fetching its chunks again");
        return Optional.of(CheckpointSearch.reassemble(
                        kafka,
                        new TopicPartition(r.topic(), r.partition()),
                        r.offset(),
                        m,
                        assembler.maxCheckpointBytes(),
                        REFETCH_STALL_LIMIT,
                        clientId + "-refetch",
                        log)
                .orElseThrow(() -> new CheckpointIntegrityException("checkpoint " + m.checkpointId() + " of run "
                        + m.runId() + ": its " + m.chunkCount() + " chunks are not all on " + r.topic() + "-"
                        + r.partition() + " before its manifest at offset " + r.offset())));
    }

    private void reject(ConsumerRecord<String, byte[]> r, String reason) {
        log.accept("checkpoint record at " + r.topic() + "-" + r.partition() + "@" + r.offset()
                + " rejected, sent to the dead-letter topic: " + reason);
        handler.reject(r, reason);
    }

    private static ConsumerRecord<String, byte[]> last(ConsumerRecords<String, byte[]> records) {
        ConsumerRecord<String, byte[]> last = null;
        for (ConsumerRecord<String, byte[]> r : records) {
            last = r;
        }
        return last;
    }

    /**
     * Commits past each of {@code handled} (one per partition) as far as {@link #safeOffset} allows; false when the
     * group no longer counts this member in.
     */
    private boolean commit(KafkaConsumer<String, byte[]> c, Collection<ConsumerRecord<String, byte[]>> handled) {
        if (handled.isEmpty()) {
            return true;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : handled) {
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(safeOffset(r)));
        }
        try {
            c.commitSync(offsets);
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
            if (KafkaClients.transientFailure(e)) {
                throw e; // the loop tries again before its next poll: reading on would skip what was not committed
            }
            // out of the group: partitions given afresh start from their committed offsets anyway
            log.accept("evaluator " + clientId + " could not read its committed offsets back: " + e.getMessage());
        }
    }

    private long safeOffset(ConsumerRecord<String, byte[]> r) {
        return watermark.safeOffset(r.partition(), r.offset(), assembler.unfinishedIds());
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
                catchUpPending = true; // which of their checkpoints were scored already: read before their records
                try {
                    resultLog.catchUp(CATCH_UP_WAIT);
                    catchUpPending = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    log.accept("evaluator " + clientId + " has not read the results topic to its end yet ("
                            + e.getMessage() + "); it does before handling a record");
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
            // Chunks held for these partitions are reassembled by the next owner from the committed offset: their slots
            // are freed here.
            watermark
                    .revoked(partitions.stream().map(TopicPartition::partition).toList())
                    .forEach(assembler::forget);
        }
    }
}
