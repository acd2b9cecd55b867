package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.CheckpointAssembler;
import dev.cifarpipeline.events.CheckpointManifest;
import dev.cifarpipeline.events.CheckpointRecordCodec;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.VerifiedCheckpoint;
import dev.cifarpipeline.model.TrainingCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Finds a run's latest complete checkpoint on the checkpoints topic (services share no disk, so the topic is
 * where a restarted or moved run finds its state): reads the topic to its end, reassembles and verifies the run's
 * checkpoints, and keeps the one with the most steps. Checkpoints that fail verification are skipped and named.
 */
public final class CheckpointRecovery {
    private static final Duration POLL = Duration.ofMillis(500);

    private CheckpointRecovery() {
    }

    public static Optional<TrainingCheckpoint> latest(Map<String, Object> kafka, String topic, String runId, Consumer<String> log) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "trainer-recovery-" + runId);
        CheckpointAssembler assembler = new CheckpointAssembler(4, 1L << 30);
        VerifiedCheckpoint best = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                return Optional.empty();
            }
            List<TopicPartition> assigned = new ArrayList<>();
            partitions.forEach(p -> assigned.add(new TopicPartition(topic, p.partition())));
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (!runId.equals(r.key()) || r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    try {
                        Optional<VerifiedCheckpoint> v = assembler.accept(CheckpointRecordCodec.decode(r.value()));
                        if (v.isPresent() && (best == null || v.get().manifest().step() >= best.manifest().step())) {
                            best = v.get();
                        }
                    } catch (RecordFormatException e) {
                        log.accept("skipping an unusable checkpoint record at offset " + r.offset() + ": " + e.getMessage());
                    }
                }
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        CheckpointManifest m = best.manifest();
        if (!TrainingCheckpoint.FORMAT.equals(m.format())) {
            log.accept("latest checkpoint " + m.checkpointId() + " has format " + m.format() + ", not " + TrainingCheckpoint.FORMAT
                    + ": starting the run afresh");
            return Optional.empty();
        }
        log.accept("found checkpoint " + m.checkpointId() + " of run " + runId + ": epoch " + m.epoch() + ", step " + m.step());
        return Optional.of(TrainingCheckpoint.decode(best.bytes()));
    }
}
