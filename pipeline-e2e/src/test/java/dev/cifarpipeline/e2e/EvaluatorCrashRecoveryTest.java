package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.CifarSplit;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kill -9} of the packaged evaluator while it scores the second of four checkpoints, then a second
 * evaluator in the same group: it scores every checkpoint not yet scored, and the results topic ends with
 * exactly one result per checkpoint.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class EvaluatorCrashRecoveryTest {
    private static final String RUN = "scored";
    private static final int CHECKPOINTS = 4;
    private static final int TEST_IMAGES = 3000; // a few seconds of scoring per checkpoint, long enough to be killed in
    private static final Path LOGS = Path.of("target", "evaluator-crash").toAbsolutePath();

    @Test
    void aKilledEvaluatorsSuccessorScoresTheRestAndNothingTwice() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            publishTestSet(kafka, TEST_IMAGES);
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= CHECKPOINTS; i++) {
                ids.add(publishCheckpoint(kafka, i));
            }
            Map<String, String> settings =
                    Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(), "evaluator.session-timeout", "6s");
            try (ServiceProcess first =
                    ServiceProcess.start("evaluator-service", "1g", settings, LOGS.resolve("first"))) {
                first.awaitReady(Duration.ofSeconds(90));
                Eventually.await(
                        "the first evaluator scoring the second checkpoint",
                        Duration.ofMinutes(2),
                        () -> {
                            assertTrue(first.process().isAlive(), first.tail(30));
                            return first.output();
                        },
                        log -> log.contains("scoring checkpoint " + ids.get(1)),
                        () -> first.tail(30));
                first.process().destroyForcibly();
                first.process().waitFor(10, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<String, byte[]>> before = kafka.readUntil(Topics.EVALUATION_RESULTS, 5_000, r -> false);
            assertEquals(1, before.size(), "killed while scoring the second: one result so far");
            try (ServiceProcess second =
                    ServiceProcess.start("evaluator-service", "1g", settings, LOGS.resolve("second"))) {
                second.awaitReady(Duration.ofSeconds(90));
                List<ConsumerRecord<String, byte[]>> results = kafka.readUntil(
                        Topics.EVALUATION_RESULTS,
                        3 * 60_000,
                        read -> read.size() >= CHECKPOINTS || !second.process().isAlive());
                Thread.sleep(3000); // room for a duplicate to show up, were there one
                results = kafka.readUntil(Topics.EVALUATION_RESULTS, 5_000, r -> false);
                List<String> scored = results.stream()
                        .map(r -> EvaluationResult.fromJson(r.value()).checkpointId())
                        .toList();
                assertEquals(ids, scored, "each checkpoint once, in order:\n" + second.tail(20));
                assertEquals(
                        CHECKPOINTS - 1,
                        second.metric("evaluator_checkpoints_scored_total", "run=\"" + RUN + "\"")
                                .orElseThrow(),
                        0.0);
                EvaluationResult last = EvaluationResult.fromJson(
                        results.get(results.size() - 1).value());
                assertEquals(TEST_IMAGES, last.testImages());
                assertEquals(
                        last.accuracy(),
                        second.metric("evaluator_test_accuracy", "run=\"" + RUN + "\"")
                                .orElseThrow(),
                        0.0);
            }
        }
    }

    /** A synthetic test set of {@code images} (a multiple of 100) in batches of 100, as ingest publishes one. */
    static void publishTestSet(InProcessKafka kafka, int images) throws Exception {
        CifarSplit split = SyntheticCifar.generate(images, 21, true);
        int batch = 100;
        int batches = images / batch;
        for (int b = 0; b < batches; b++) {
            int from = b * batch;
            int[] indices = new int[batch];
            Arrays.setAll(indices, i -> from + i);
            AugmentedBatch test = new AugmentedBatch(
                    BatchKind.TEST,
                    0,
                    0,
                    b,
                    batches,
                    indices,
                    Arrays.copyOfRange(split.labels(), from, from + batch),
                    Arrays.copyOfRange(
                            split.pixels(),
                            from * ImageGeometry.BYTES_PER_IMAGE,
                            (from + batch) * ImageGeometry.BYTES_PER_IMAGE));
            kafka.produce(Topics.TEST_BATCHES, Integer.toString(b), AugmentedBatchCodec.encode(test));
        }
    }

    private static String publishCheckpoint(InProcessKafka kafka, int epoch) throws Exception {
        return publishCheckpoint(kafka, RUN, epoch);
    }

    /** A checkpoint as the trainer writes it, from freshly initialised weights (scores near chance; what counts here is how often). */
    static String publishCheckpoint(InProcessKafka kafka, String run, int epoch) throws Exception {
        TestCheckpoint checkpoint = TestCheckpoint.of(run, epoch);
        for (byte[] record : checkpoint.records()) {
            kafka.produce(Topics.CHECKPOINTS, run, record);
        }
        return checkpoint.id();
    }
}
