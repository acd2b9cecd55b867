package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.dataset.CifarDatasets;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.EpochMarker;
import dev.cifarpipeline.ingest.augment.BatchFactory;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the packaged ingest service mid-epoch, then a restart: the stream on the broker is every
 * (epoch, batch) exactly once, in order, identical to what an uninterrupted run publishes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IngestCrashRecoveryTest {
    private static final int EPOCHS = 3;
    private static final long SEED = 5;

    @TempDir
    Path dir;

    @Test
    void restartAfterKillNineContinuesWithoutSkippingOrRepeatingABatch() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 6_000, 200, 3);
        CifarDataset data = CifarDatasets.read(dataset);
        BatchFactory expected = new BatchFactory(data, SEED, 32, 100);
        int perEpoch = expected.trainBatchesPerEpoch(); // 188
        try (InProcessKafka kafka = new InProcessKafka()) {
            Map<String, String> settings = Map.of(
                    "kafka.bootstrap.servers",
                    kafka.bootstrapServers(),
                    "ingest.dataset-dir",
                    dataset.toString(),
                    "ingest.epochs",
                    String.valueOf(EPOCHS),
                    "ingest.batch-size",
                    "32",
                    "ingest.stream-seed",
                    String.valueOf(SEED),
                    "ingest.max-in-flight",
                    "1",
                    "ingest.max-epochs-ahead",
                    "10");
            long atKill;
            try (ServiceProcess first =
                    ServiceProcess.start("data-ingest-service", "512m", settings, dir.resolve("logs-1"))) {
                atKill = awaitOffset(kafka, perEpoch + perEpoch / 3, Duration.ofSeconds(90)); // a third into epoch 1
                first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                first.process().waitFor(10, TimeUnit.SECONDS);
            }
            assertTrue(atKill < (long) EPOCHS * perEpoch, "killed mid-stream, at offset " + atKill);
            try (ServiceProcess second =
                    ServiceProcess.start("data-ingest-service", "512m", settings, dir.resolve("logs-2"))) {
                second.awaitReady(Duration.ofSeconds(60));
                Eventually.await(
                        "the restarted ingest to finish the stream",
                        Duration.ofSeconds(120),
                        () -> second.get("/ingest/status").body(),
                        status -> status.contains("\"FINISHED\""),
                        () -> second.tail(20));
                String log = second.output();
                assertTrue(
                        log.contains("publishing from epoch ") && !log.contains("publishing from epoch 0 batch 0 "),
                        "the restart resumed mid-stream: " + second.tail(30));
            }

            List<ConsumerRecord<String, byte[]>> records =
                    kafka.readUntil(Topics.TRAIN_BATCHES, 60_000, read -> read.size() >= EPOCHS * perEpoch);
            assertEquals(EPOCHS * perEpoch, records.size(), "no batch skipped, none repeated");
            for (int i = 0; i < records.size(); i++) {
                AugmentedBatch batch = AugmentedBatchCodec.decode(records.get(i).value());
                assertEquals(expected.trainBatch(i / perEpoch, i % perEpoch), batch, "record " + i);
            }
            List<ConsumerRecord<String, byte[]>> markers =
                    kafka.readUntil(Topics.EPOCH_MARKERS, 30_000, read -> read.size() >= EPOCHS);
            for (ConsumerRecord<String, byte[]> r : markers) {
                EpochMarker m = EpochMarker.fromJson(r.value());
                assertEquals(
                        (long) m.epoch() * perEpoch,
                        m.firstOffset(),
                        "epoch " + m.epoch() + " starts where its first batch is");
            }
        }
    }

    /** Waits until the training topic's end offset reaches {@code target}; returns the offset seen. */
    private static long awaitOffset(InProcessKafka kafka, long target, Duration timeout) throws InterruptedException {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        TopicPartition partition = new TopicPartition(Topics.TRAIN_BATCHES, 0);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            while (System.nanoTime() < deadline) {
                try {
                    long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(2))
                            .getOrDefault(partition, 0L);
                    if (end >= target) {
                        return end;
                    }
                } catch (KafkaException topicNotThereYet) {
                    // keep polling
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the training topic did not reach offset " + target);
    }
}
