package dev.cifarpipeline.events.kafka;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointChunk;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecord;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Finds one run's newest checkpoint that a caller wants, reading backwards from the end of the run's own partition
 * of the checkpoints topic (a run's records are keyed by run, so they share one partition) in windows of
 * {@link #WINDOW} records: what it reads grows with how far back that checkpoint lies, not with the topic, and it
 * holds the manifests it passes and the chunks of one checkpoint at a time. A manifest whose checkpoint does not
 * verify is named and the search goes on to the one before. A search may take as long as its partition needs, but
 * no step of it may go {@code stallLimit} without progress (the broker away): that is a {@link TimeoutException},
 * which callers treat as transient.
 */
public final class CheckpointSearch {
    /** Records read per step back. */
    static final int WINDOW = 64;

    private CheckpointSearch() {}

    /**
     * The newest checkpoint of {@code runId} whose manifest {@code wanted} accepts and whose chunks verify; empty when
     * there is none.
     */
    public static Optional<VerifiedCheckpoint> newest(
            Map<String, Object> kafka,
            String topic,
            String runId,
            Predicate<CheckpointManifest> wanted,
            long maxCheckpointBytes,
            Duration stallLimit,
            String clientId,
            Consumer<String> log) {
        try (KafkaConsumer<String, byte[]> consumer = reader(kafka, clientId)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, stallLimit);
            if (infos == null || infos.isEmpty()) {
                return Optional.empty();
            }
            // A run's records are keyed by run, so they all lie in one partition (the topic's partitions are fixed:
            // adding some would move runs, which TopicSpec never does).
            TopicPartition home = new TopicPartition(topic, partitionOf(runId, infos.size()));
            return newestIn(consumer, home, runId, wanted, maxCheckpointBytes, stallLimit, log);
        }
    }

    /**
     * The checkpoint of {@code manifest}, read at {@code manifestOffset} of {@code tp}, with its chunks fetched again
     * stepping back from there (for a reader that had to let them go); empty when they do not make it whole.
     */
    public static Optional<VerifiedCheckpoint> reassemble(
            Map<String, Object> kafka,
            TopicPartition tp,
            long manifestOffset,
            CheckpointManifest manifest,
            long maxCheckpointBytes,
            Duration stallLimit,
            String clientId,
            Consumer<String> log) {
        try (KafkaConsumer<String, byte[]> consumer = reader(kafka, clientId)) {
            consumer.assign(List.of(tp));
            long begin = consumer.beginningOffsets(List.of(tp), stallLimit).get(tp);
            return assemble(
                    consumer,
                    tp,
                    begin,
                    new Located(manifest, manifestOffset),
                    manifest.runId(),
                    maxCheckpointBytes,
                    stallLimit,
                    log);
        }
    }

    private static KafkaConsumer<String, byte[]> reader(Map<String, Object> kafka, String clientId) {
        return new KafkaConsumer<>(
                KafkaClients.reader(kafka, clientId), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The partition the producers' default partitioner gives records keyed {@code key}. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static Optional<VerifiedCheckpoint> newestIn(
            KafkaConsumer<String, byte[]> consumer,
            TopicPartition tp,
            String runId,
            Predicate<CheckpointManifest> wanted,
            long maxCheckpointBytes,
            Duration stallLimit,
            Consumer<String> log) {
        consumer.assign(List.of(tp));
        long begin = consumer.beginningOffsets(List.of(tp), stallLimit).get(tp);
        long hi = consumer.endOffsets(List.of(tp), stallLimit).get(tp);
        while (hi > begin) {
            long lo = Math.max(begin, hi - WINDOW);
            List<Located> manifests = new ArrayList<>();
            read(consumer, tp, lo, hi, stallLimit, r -> {
                if (runId.equals(r.key()) && decode(r) instanceof CheckpointManifest m && wanted.test(m)) {
                    manifests.add(new Located(m, r.offset()));
                }
            });
            for (int i = manifests.size() - 1; i >= 0; i--) {
                Located candidate = manifests.get(i);
                Optional<VerifiedCheckpoint> verified =
                        assemble(consumer, tp, begin, candidate, runId, maxCheckpointBytes, stallLimit, log);
                if (verified.isPresent()) {
                    return verified;
                }
            }
            hi = lo;
        }
        return Optional.empty();
    }

    private record Located(CheckpointManifest manifest, long offset) {}

    /** Collects the candidate's chunks, stepping back from its manifest until all are found, then verifies it. */
    private static Optional<VerifiedCheckpoint> assemble(
            KafkaConsumer<String, byte[]> consumer,
            TopicPartition tp,
            long begin,
            Located candidate,
            String runId,
            long maxCheckpointBytes,
            Duration stallLimit,
            Consumer<String> log) {
        CheckpointManifest m = candidate.manifest();
        Map<Integer, CheckpointChunk> chunks = new HashMap<>();
        long bytes = 0;
        long hi = candidate.offset();
        while (chunks.size() < m.chunkCount() && hi > begin) {
            long lo = Math.max(begin, hi - WINDOW);
            List<CheckpointChunk> found = new ArrayList<>();
            read(consumer, tp, lo, hi, stallLimit, r -> {
                if (runId.equals(r.key())
                        && decode(r) instanceof CheckpointChunk c
                        && c.checkpointId().equals(m.checkpointId())) {
                    found.add(c);
                }
            });
            for (CheckpointChunk c : found) {
                if (chunks.putIfAbsent(c.chunkIndex(), c) == null) {
                    bytes += c.data().length;
                }
            }
            if (bytes > maxCheckpointBytes) {
                log.accept("checkpoint " + m.checkpointId() + " of run " + runId + " exceeds " + maxCheckpointBytes
                        + " bytes; looking for an earlier one");
                return Optional.empty();
            }
            hi = lo;
        }
        CheckpointAssembler assembler = new CheckpointAssembler(1, maxCheckpointBytes);
        try {
            for (CheckpointChunk c : chunks.values()) {
                assembler.accept(c);
            }
            return assembler.accept(m);
        } catch (RecordFormatException e) {
            log.accept("skipping checkpoint " + m.checkpointId() + " of run " + runId + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Hands every committed record of {@code tp} in [{@code from}, {@code to}) to {@code each}, in offset order. */
    private static void read(
            KafkaConsumer<String, byte[]> consumer,
            TopicPartition tp,
            long from,
            long to,
            Duration stallLimit,
            Consumer<ConsumerRecord<String, byte[]>> each) {
        consumer.seek(tp, from);
        long until = System.nanoTime() + stallLimit.toNanos();
        long position;
        while ((position = consumer.position(tp, stallLimit)) < to) {
            if (System.nanoTime() > until) {
                throw new TimeoutException(
                        "searching " + tp + " for a checkpoint made no progress for " + stallLimit.toSeconds() + " s");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() < to) {
                    each.accept(r);
                }
            }
            if (consumer.position(tp, stallLimit) > position) {
                until = System.nanoTime() + stallLimit.toNanos(); // progress: the stall clock starts again
            }
        }
    }

    private static CheckpointRecord decode(ConsumerRecord<String, byte[]> r) {
        try {
            return r.value() == null ? null : CheckpointRecordCodec.decode(r.value());
        } catch (RecordFormatException e) {
            return null; // not a checkpoint record (the hostile-input test writes such): nothing to find here
        }
    }
}
