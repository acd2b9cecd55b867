package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.CheckpointAssembler;
import dev.cifarpipeline.events.CheckpointManifest;
import dev.cifarpipeline.events.CheckpointRecordCodec;
import dev.cifarpipeline.events.EpochLineage;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the packaged trainer in the middle of its second epoch, then a restart of the same run:
 * it restores the epoch-1 checkpoint from Kafka, re-reads the stream from that checkpoint's offsets, and the
 * final model's lineage is exactly one pass per epoch, none twice, none missing.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class TrainerCrashRecoveryTest {
    private static final String RUN = "crash";
    private static final int EPOCHS = 3;
    private static final int BATCHES_PER_EPOCH = 25; // 800 images in batches of 32

    private static final Path LOGS = Path.of("target", "trainer-crash").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aRunKilledMidEpochResumesFromItsCheckpointAndTrainsEachBatchOncePerEpoch() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 800, 100, 4);
        try (InProcessKafka kafka = new InProcessKafka()) {
            String bootstrap = kafka.bootstrapServers();
            Map<String, String> trainerSettings = Map.of("kafka.bootstrap.servers", bootstrap, "trainer.run-id", RUN,
                    "trainer.epochs", String.valueOf(EPOCHS), "trainer.max-learning-rate", "0.02", "trainer.log-every", "5");
            try (ServiceProcess ingest = ServiceProcess.start("data-ingest-service", "512m", Map.of("kafka.bootstrap.servers", bootstrap,
                    "ingest.dataset-dir", dataset.toString(), "ingest.epochs", String.valueOf(EPOCHS), "ingest.batch-size", "32",
                    "ingest.max-epochs-ahead", "5"), LOGS.resolve("ingest"))) {
                ingest.awaitReady(Duration.ofSeconds(60));
                try (ServiceProcess first = ServiceProcess.start("trainer-service", "1g", trainerSettings, LOGS.resolve("first"))) {
                    first.awaitReady(Duration.ofSeconds(90));
                    awaitSteps(first, BATCHES_PER_EPOCH + 8); // past the first checkpoint, a third into epoch 2
                    first.process().destroyForcibly();
                    first.process().waitFor(10, TimeUnit.SECONDS);
                }
                try (ServiceProcess second = ServiceProcess.start("trainer-service", "1g", trainerSettings, LOGS.resolve("second"))) {
                    List<ConsumerRecord<String, byte[]>> events = kafka.readUntil(Topics.TRAINING_EVENTS, 5 * 60_000,
                            read -> read.stream().anyMatch(r -> TrainingEvent.fromJson(r.value()).type().equals(TrainingEvent.FINISHED))
                                    || !second.process().isAlive());
                    assertTrue(events.stream().anyMatch(r -> TrainingEvent.fromJson(r.value()).type().equals(TrainingEvent.FINISHED)),
                            second.tail(40));
                    String log = second.output();
                    assertTrue(log.contains("run crash resumed at step " + BATCHES_PER_EPOCH + ", 1 epoch(s) complete"), second.tail(40));
                }
            }
            CheckpointManifest last = lastManifest(kafka);
            assertEquals(EPOCHS, last.epoch());
            assertEquals((long) EPOCHS * BATCHES_PER_EPOCH, last.step(), "one step per batch per epoch, none repeated");
            // Every batch of every epoch reached the model once. A batch the broker redelivers around the restart is
            // skipped by the ledger and counted as a duplicate: delivery is at least once, training exactly once.
            assertEquals(EPOCHS, last.lineage().size());
            for (EpochLineage epoch : last.lineage()) {
                assertEquals(BATCHES_PER_EPOCH, epoch.batchesTrained(), epoch.toString());
                assertTrue(epoch.duplicateBatches() <= 8, "redeliveries are bounded by one poll: " + epoch);
            }
            System.out.println("lineage after the crash and resume: " + last.lineage());
        }
    }

    private static void awaitSteps(ServiceProcess trainer, int steps) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (trainer.metric("trainer_step", "run=\"" + RUN + "\"").orElse(0) < steps) {
            assertTrue(System.nanoTime() < deadline, trainer.tail(30));
            Thread.sleep(100);
        }
    }

    private static CheckpointManifest lastManifest(InProcessKafka kafka) {
        CheckpointAssembler assembler = new CheckpointAssembler(4, 1L << 30);
        CheckpointManifest last = null;
        for (ConsumerRecord<String, byte[]> r : kafka.readUntil(Topics.CHECKPOINTS, 60_000,
                read -> read.stream().filter(x -> x.value()[3] == 'M').count() >= EPOCHS)) {
            var verified = assembler.accept(CheckpointRecordCodec.decode(r.value()));
            if (verified.isPresent() && (last == null || verified.get().manifest().step() > last.step())) {
                last = verified.get().manifest();
            }
        }
        return last;
    }
}
