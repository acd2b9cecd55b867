package dev.cifarpipeline.ingest.stream;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.EpochMarker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the topics already hold, read back from the broker rather than remembered: after a crash or a restart
 * ingest continues right after the last batch the broker has, so nothing is skipped and nothing repeated.
 * (The producer is idempotent with acks=all, so the partition holds a gap-free prefix of what was sent.)
 */
public final class StreamFrontier {
    /** How far back from the end to look for the last valid batch, past records other writers may have added. */
    static final int LOOK_BACK = 64;

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private StreamFrontier() {}

    /**
     * The last batch on {@code topic}'s partition 0 that is {@code ours}; when none of the records looked back on is,
     * the last one that decodes as a batch at all (so that a topic holding another stream is noticed). A foreign or
     * forged batch written after ours does not hide ours.
     */
    public static Optional<AugmentedBatch> lastBatch(
            Consumer<String, byte[]> consumer, String topic, Predicate<AugmentedBatch> ours) {
        List<ConsumerRecord<String, byte[]>> tail = tail(consumer, topic, LOOK_BACK);
        Optional<AugmentedBatch> foreign = Optional.empty();
        for (int i = tail.size() - 1; i >= 0; i--) {
            try {
                AugmentedBatch b = AugmentedBatchCodec.decode(tail.get(i).value());
                if (ours.test(b)) {
                    return Optional.of(b);
                }
                foreign = foreign.or(() -> Optional.of(b));
            } catch (RecordFormatException notABatch) {
                // someone else's record; keep looking back
            }
        }
        return foreign;
    }

    /**
     * The epoch markers on {@code topic} that are {@code ours}, by epoch; of two for one epoch the first counts, as
     * the trainers read them (a later one, forged or foreign, changes nothing).
     */
    public static TreeMap<Integer, EpochMarker> markers(
            Consumer<String, byte[]> consumer, String topic, Predicate<EpochMarker> ours) {
        TreeMap<Integer, EpochMarker> byEpoch = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : tail(consumer, topic, Integer.MAX_VALUE)) {
            try {
                EpochMarker m = EpochMarker.fromJson(r.value());
                if (ours.test(m)) {
                    byEpoch.putIfAbsent(m.epoch(), m);
                }
            } catch (RecordFormatException | IllegalArgumentException notAMarker) {
                // ignore foreign records
            }
        }
        return byEpoch;
    }

    /** The last {@code count} records of partition 0 of {@code topic}, oldest first. */
    static List<ConsumerRecord<String, byte[]>> tail(Consumer<String, byte[]> consumer, String topic, int count) {
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(List.of(partition));
        Map<TopicPartition, Long> end = consumer.endOffsets(List.of(partition));
        long endOffset = end.get(partition);
        long from = Math.max(begin.get(partition), endOffset - count);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        if (from >= endOffset) {
            return out;
        }
        consumer.seek(partition, from);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        long position = from;
        while (position < endOffset) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading back " + topic + " from offset " + from + " to " + endOffset
                        + " timed out at offset " + position);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                if (r.offset() < endOffset) {
                    out.add(r);
                }
                position = r.offset() + 1;
            }
            position = Math.max(position, consumer.position(partition));
        }
        return out;
    }
}
