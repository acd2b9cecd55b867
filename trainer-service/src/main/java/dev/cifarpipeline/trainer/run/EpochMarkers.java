package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.EpochMarker;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.trainer.training.StreamCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The epoch-markers topic as one run's {@link StreamCheck} reads it: every marker, oldest first, read on to the
 * topic's end when a batch finds none that fits (ingest writes an epoch's marker, and waits for it, before the
 * epoch's first batch, so a batch's marker is on the topic by the time the batch is read). A record that is not a
 * marker is skipped, counted, and said once; at most {@link #MAX_MARKERS} are kept, so a flood of forged markers costs a
 * bounded amount of memory.
 */
public final class EpochMarkers implements StreamCheck.Markers, AutoCloseable {
    public static final int MAX_MARKERS = 100_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Consumer<String> log;
    private final Runnable onUnreadable;
    private final Map<Integer, List<EpochMarker>> byEpoch = new HashMap<>();
    private int kept;
    private boolean skippedSaid;
    private boolean fullSaid;
    private boolean assigned;

    public EpochMarkers(Map<String, Object> kafka, String topic, Consumer<String> log, Runnable onUnreadable) {
        this.onUnreadable = onUnreadable;
        this.consumer = new KafkaConsumer<>(
                KafkaClients.reader(kafka, "epoch-markers"), new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.log = log;
    }

    @Override
    public List<EpochMarker> of(int epoch, boolean refresh) {
        if (refresh || !assigned) {
            readToEnd();
        }
        return byEpoch.getOrDefault(epoch, List.of());
    }

    private void readToEnd() {
        if (!assigned) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, READ_TIMEOUT);
            for (PartitionInfo p : infos == null ? List.<PartitionInfo>of() : infos) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            if (partitions.isEmpty()) {
                return; // no markers topic yet: nothing announced; asked again with the next batch
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            assigned = true;
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), READ_TIMEOUT);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), READ_TIMEOUT) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                // a timeout, and so transient: the run waits for the broker and resumes from its checkpoint
                throw new org.apache.kafka.common.errors.TimeoutException(
                        "reading " + topic + " to its end took over " + READ_TIMEOUT);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                add(r);
            }
        }
    }

    private void add(ConsumerRecord<String, byte[]> r) {
        EpochMarker marker;
        try {
            marker = EpochMarker.fromJson(r.value());
        } catch (RecordFormatException | IllegalArgumentException e) {
            onUnreadable.run();
            if (!skippedSaid) {
                log.accept("epoch markers: skipping a record at " + r.topic() + "-" + r.partition() + "@" + r.offset()
                        + " that is not a marker (" + e.getMessage() + "); later ones are skipped silently");
                skippedSaid = true;
            }
            return;
        }
        if (kept >= MAX_MARKERS) {
            if (!fullSaid) {
                log.accept("epoch markers: " + MAX_MARKERS + " kept; later markers are ignored");
                fullSaid = true;
            }
            return;
        }
        byEpoch.computeIfAbsent(marker.epoch(), e -> new ArrayList<>()).add(marker);
        kept++;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
