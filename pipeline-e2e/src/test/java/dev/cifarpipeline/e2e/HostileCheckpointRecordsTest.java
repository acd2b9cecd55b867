package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.checkpoint.CheckpointChunk;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint chunk that lies: CRC-valid, 24 bytes of data, and a chunk-count field of 2^31-1. Reassembling it used
 * to allocate from that count, so one such record keyed by a run stopped every evaluator that read it (an
 * OutOfMemoryError on its scoring thread, every replacement reading the same record) and the trainer thread of that
 * run (its recovery read it). Here the packaged evaluator and trainer read it on a real broker: the evaluator
 * dead-letters it with the reason and scores the honest checkpoint behind it, the trainer's recovery passes it by
 * (it gathers chunks only for a manifest it found) and trains the run to its end, and both stay live.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class HostileCheckpointRecordsTest {
    private static final Path LOGS = Path.of("target", "hostile-checkpoints").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aChunkClaimingBillionsOfChunksIsDeadLetteredAndBothServicesKeepServing() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 320, 200, 11);
        byte[] bomb =
                CheckpointRecordCodec.encode(new CheckpointChunk("bombed-e9", 0, Integer.MAX_VALUE, new byte[24]));
        try (InProcessKafka kafka = new InProcessKafka()) {
            String bootstrap = kafka.bootstrapServers();
            try (ServiceProcess ingest = ServiceProcess.ingest(bootstrap, dataset, 1, LOGS.resolve("ingest"));
                    ServiceProcess trainer = ServiceProcess.trainer(bootstrap, LOGS.resolve("trainer"));
                    ServiceProcess evaluator = ServiceProcess.evaluator(bootstrap, LOGS.resolve("evaluator"))) {
                ServiceProcess.awaitAllReady(List.of(ingest, trainer, evaluator));
                kafka.produce(Topics.CHECKPOINTS, "bombed", bomb);
                String honest = EvaluatorCrashRecoveryTest.publishCheckpoint(kafka, "honest", 1);
                // the run whose recovery reads the bomb first
                trainer.submitRun("{\"runId\":\"bombed\",\"epochs\":1,\"maxLearningRate\":0.02}");

                RunAudit audit = new RunAudit(Map.of("bootstrap.servers", bootstrap));
                assertTrue(
                        audit.awaitFinished(
                                List.of("bombed"),
                                Duration.ofMinutes(3),
                                () -> !trainer.process().isAlive()),
                        "the run whose recovery read the bomb trained to its end:\n" + trainer.tail(40));
                // Recovery looks for a manifest of the run first; the bomb is no manifest, so none of the run's chunks
                // is
                // ever gathered and the run starts afresh.
                assertTrue(trainer.output().contains("run bombed reads"), trainer.tail(40));
                assertEquals(1, finished(kafka, "bombed"), "FINISHED once");

                List<ConsumerRecord<String, byte[]>> results = kafka.readUntil(
                        Topics.EVALUATION_RESULTS,
                        180_000,
                        read -> read.stream()
                                .anyMatch(r -> EvaluationResult.fromJson(r.value())
                                        .checkpointId()
                                        .equals(honest)));
                assertTrue(
                        results.stream()
                                .anyMatch(r -> EvaluationResult.fromJson(r.value())
                                        .checkpointId()
                                        .equals(honest)),
                        "the honest checkpoint behind the bomb was scored:\n" + evaluator.tail(40));

                ConsumerRecord<String, byte[]> parked = kafka.readUntil(
                                Topics.DEAD_LETTER, 60_000, read -> !read.isEmpty())
                        .get(0);
                Header reason = parked.headers().lastHeader(DeadLetter.REASON_HEADER);
                String why = new String(reason.value(), StandardCharsets.UTF_8);
                assertTrue(why.contains("says 2147483647 chunks"), why);
                assertArrayEquals(bomb, parked.value(), "the record itself is kept, whole");
                assertEquals(
                        1.0,
                        evaluator
                                .metric("pipeline_dead_letter_records_total", "channel=\"checkpoints\"")
                                .orElse(0),
                        0.0);
                for (ServiceProcess s : List.of(trainer, evaluator)) {
                    assertEquals(200, s.get("/q/health/live").statusCode(), s.module() + " live:\n" + s.tail(20));
                }
            }
        }
    }

    private static long finished(InProcessKafka kafka, String run) {
        return kafka.readUntil(Topics.TRAINING_EVENTS, 10_000, read -> false).stream()
                .map(r -> TrainingEvent.fromJson(r.value()))
                .filter(e -> e.runId().equals(run) && e.type() == TrainingEvent.Type.FINISHED)
                .count();
    }
}
