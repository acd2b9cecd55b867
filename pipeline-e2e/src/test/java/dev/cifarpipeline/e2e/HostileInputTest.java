package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.batch.EpochMarker;
import dev.cifarpipeline.events.checkpoint.CheckpointChunk;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input to every topic the services read and to every endpoint that takes a body, on a real broker with the
 * three packaged services: CRC-valid records whose fields lie (a batch claiming a million batches in its epoch, a
 * test batch on the training stream, a batch of a stream nobody announced, a second test set, a forged epoch marker,
 * a run spec asking for a billion epochs, a checkpoint chunk claiming 2^31-1 siblings, a manifest declaring a
 * terabyte), plain garbage on each topic,
 * and requests without the token, with a run id of "..", with a PNG declaring 16384x16384. Each is refused with its
 * reason or dead-lettered and counted; a run submitted among them trains every batch once and has every checkpoint
 * scored once; no service stops.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class HostileInputTest {
    private static final Path LOGS = Path.of("target", "hostile-input").toAbsolutePath();
    private static final int EPOCHS = 2;
    private static final int BATCHES_PER_EPOCH = 10; // 320 images in batches of 32
    private static final String RUN = "hostile";
    private static final String QUEUED = "queued";
    private static final byte[] GARBAGE = "not a record of ours, CRC or not".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void everyHostileRecordAndRequestIsRefusedOrDeadLetteredAndNoServiceStops() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 32 * BATCHES_PER_EPOCH, 200, 13);
        try (InProcessKafka kafka = new InProcessKafka()) {
            String bootstrap = kafka.bootstrapServers();
            try (ServiceProcess ingest = ServiceProcess.ingest(
                            bootstrap,
                            dataset,
                            EPOCHS,
                            LOGS.resolve("ingest"),
                            // epoch 1 waits for the run to finish epoch 0: the lies below come before it
                            "ingest.max-epochs-ahead",
                            "0");
                    // one run at a time: a second one waits for the first to end (a flood of runs is bounded)
                    ServiceProcess trainer = ServiceProcess.trainer(
                            bootstrap, LOGS.resolve("trainer"), "trainer.limits.max-active-runs", "1");
                    ServiceProcess evaluator = ServiceProcess.evaluator(bootstrap, LOGS.resolve("evaluator"))) {
                List<ServiceProcess> services = List.of(ingest, trainer, evaluator);
                ServiceProcess.awaitAllReady(services);
                // the honest stream's first epoch and the whole test set are on their topics before the lies
                AugmentedBatch honest = AugmentedBatchCodec.decode(
                        kafka.readUntil(Topics.TRAIN_BATCHES, 120_000, read -> read.size() >= BATCHES_PER_EPOCH)
                                .get(0)
                                .value());
                Eventually.await(
                        "the evaluator holds the whole test set",
                        Duration.ofMinutes(2),
                        () -> evaluator
                                .get("/q/health")
                                .body()
                                .matches("(?s).*\"testSet\" ?: ?\"(\\d+)/\\1 batches\".*"));
                long seed = honest.streamSeed();

                int trainBatchLies = 0;
                kafka.produce(Topics.TRAIN_BATCHES, "lying", batch(BatchKind.TRAIN, seed, 1, 0, 1_000_000));
                kafka.produce(Topics.TRAIN_BATCHES, "test-kind", batch(BatchKind.TEST, seed, 0, 1, BATCHES_PER_EPOCH));
                kafka.produce(
                        Topics.TRAIN_BATCHES, "stranger", batch(BatchKind.TRAIN, seed + 1, 0, 2, BATCHES_PER_EPOCH));
                kafka.produce(Topics.TRAIN_BATCHES, "garbage", GARBAGE);
                trainBatchLies += 4;
                kafka.produce(Topics.TEST_BATCHES, "second-test-set", batch(BatchKind.TEST, seed + 1, 0, 0, 1));
                kafka.produce(Topics.TEST_BATCHES, "garbage", GARBAGE);
                kafka.produce(Topics.EPOCH_MARKERS, "garbage", GARBAGE);
                // a marker for epoch 1 before ingest writes its own: ingest and the trainer go by the honest one
                kafka.produce(
                        Topics.EPOCH_MARKERS,
                        "epoch-1",
                        new EpochMarker(EpochMarker.SCHEMA_VERSION, seed, 1, 999, 999, Topics.TRAIN_BATCHES, 0, 0, 0)
                                .toJson());
                kafka.produce(Topics.RUN_SPECS, "garbage", GARBAGE);
                kafka.produce(
                        Topics.RUN_SPECS,
                        "greedy",
                        "{\"runId\":\"greedy\",\"epochs\":1000000000}".getBytes(StandardCharsets.UTF_8));
                kafka.produce(
                        Topics.CHECKPOINTS,
                        "bombed",
                        CheckpointRecordCodec.encode(
                                new CheckpointChunk("bombed-e9", 0, Integer.MAX_VALUE, new byte[24])));
                kafka.produce(Topics.CHECKPOINTS, "garbage", GARBAGE);
                kafka.produce(
                        Topics.CHECKPOINTS,
                        "bombed",
                        CheckpointRecordCodec.encode(new CheckpointManifest(
                                CheckpointManifest.SCHEMA_VERSION,
                                "bombed-e10",
                                "bombed",
                                null,
                                "vgg11",
                                "batchnorm",
                                TrainingCheckpoint.FORMAT,
                                10,
                                100,
                                2.0,
                                1L << 40,
                                1 << 30,
                                "0".repeat(64),
                                List.of(),
                                0)));
                kafka.produce(Topics.TRAINING_EVENTS, RUN, GARBAGE); // read by every trainer's run directory
                kafka.produce(Topics.EVALUATION_RESULTS, "garbage", GARBAGE);
                int recordsSent = 15;

                // hostile requests, each answered with its reason
                List<String> answers = new ArrayList<>();
                answers.add(expect(401, trainer.post("/trainer/runs", "{\"runId\":\"anonymous\"}")));
                answers.add(expect(
                        400,
                        trainer.post(
                                "/trainer/runs",
                                "{\"runId\":\"..\"}",
                                trainer.endpoint().bearer())));
                answers.add(expect(
                        400,
                        trainer.post(
                                "/trainer/runs",
                                "{\"runId\":\"long\",\"epochs\":1000000000}",
                                trainer.endpoint().bearer())));
                answers.add(expect(
                        400,
                        trainer.post(
                                "/trainer/runs",
                                "{\"runId\":\"x\",\"checkpointEverySteps\":1}",
                                trainer.endpoint().bearer())));
                answers.add(
                        expect(401, trainer.post("/trainer/runs/" + RUN + "/stop", "", "Authorization", "Bearer no")));
                answers.add(expect(
                        401, evaluator.postBytes("/evaluator/score", "application/octet-stream", new byte[1 << 20])));
                answers.add(expect(
                        400,
                        evaluator.postBytes("/evaluator/predict?run=" + RUN, "image/png", pngDeclaring(16384, 16384))));
                answers.add(expect(
                        413,
                        evaluator.postBytes(
                                "/evaluator/predict?run=" + RUN, "application/octet-stream", new byte[2 << 20])));
                assertTrue(answers.get(1).contains("is only dots"), answers.get(1));
                assertTrue(answers.get(2).contains("exceeds this trainer's limit"), answers.get(2));
                assertTrue(answers.get(3).contains("checkpointEverySteps"), answers.get(3));
                assertTrue(answers.get(6).contains("16384x16384"), answers.get(6));

                trainer.submitRun("{\"runId\":\"" + RUN + "\",\"epochs\":" + EPOCHS + ",\"maxLearningRate\":0.02}");
                trainer.submitRun("{\"runId\":\"" + QUEUED + "\",\"epochs\":" + EPOCHS + ",\"maxLearningRate\":0.02}");
                Eventually.await(
                        "the second run waiting for the first",
                        Duration.ofMinutes(1),
                        () -> trainer.get("/trainer/runs").body(),
                        runs -> runs.matches("(?s).*\"runId\":\"" + QUEUED + "\",\"state\":\"WAITING\".*"),
                        () -> trainer.tail(20));
                RunAudit audit = new RunAudit(Map.of("bootstrap.servers", bootstrap));
                assertTrue(
                        audit.awaitFinished(
                                List.of(RUN, QUEUED),
                                Duration.ofMinutes(5),
                                () -> !trainer.process().isAlive()),
                        trainer.tail(40));
                audit.assertTrainedOnceAndScoredOnce(RUN, EPOCHS, BATCHES_PER_EPOCH);
                audit.assertTrainedOnceAndScoredOnce(QUEUED, EPOCHS, BATCHES_PER_EPOCH);

                Map<String, List<String>> reasons = new TreeMap<>();
                kafka.readUntil(Topics.DEAD_LETTER, 120_000, read -> read.size() >= 2 * 4 + 7)
                        .forEach(
                                r -> reasons.computeIfAbsent(header(r, DeadLetter.TOPIC_HEADER), t -> new ArrayList<>())
                                        .add(header(r, DeadLetter.REASON_HEADER)));
                System.out.println("hostile input: dead-letter reasons by topic: " + reasons);
                assertEquals(
                        2 * trainBatchLies, reasons.get(Topics.TRAIN_BATCHES).size(), "each run's: " + reasons);
                String trainReasons = String.join("\n", reasons.get(Topics.TRAIN_BATCHES));
                assertTrue(trainReasons.contains("is a TEST batch on the training stream"), trainReasons);
                assertTrue(
                        trainReasons.contains("is of stream " + (seed + 1) + "; this run trains on stream " + seed),
                        trainReasons);
                assertTrue(
                        trainReasons.contains("says its epoch has 1000000 batches; this run's stream has "
                                + BATCHES_PER_EPOCH + " per epoch"),
                        trainReasons);
                assertTrue(trainReasons.contains("AugmentedBatch: record of 32 bytes is shorter"), trainReasons);
                assertEquals(2, reasons.get(Topics.RUN_SPECS).size(), "" + reasons);
                assertTrue(String.join("\n", reasons.get(Topics.RUN_SPECS)).contains("exceeds this trainer's limit"));
                assertEquals(3, reasons.get(Topics.CHECKPOINTS).size(), "" + reasons);
                assertEquals(2, reasons.get(Topics.TEST_BATCHES).size(), "" + reasons);
                assertTrue(
                        String.join("\n", reasons.get(Topics.TEST_BATCHES)).contains("the test set in use"),
                        "" + reasons);

                assertEquals(
                        trainBatchLies,
                        trainer.metric(
                                        "pipeline_dead_letter_records_total",
                                        "channel=\"train-batches\"",
                                        "run=\"" + RUN + "\"")
                                .orElse(0));
                assertEquals(
                        2,
                        trainer.metric("pipeline_dead_letter_records_total", "channel=\"run-specs\"")
                                .orElse(0));
                assertEquals(
                        3,
                        evaluator
                                .metric("pipeline_dead_letter_records_total", "channel=\"checkpoints\"")
                                .orElse(0));
                assertEquals(
                        2,
                        evaluator
                                .metric("pipeline_dead_letter_records_total", "channel=\"test-batches\"")
                                .orElse(0));
                assertEquals(
                        1,
                        evaluator
                                .metric("pipeline_unreadable_records_total", "channel=\"evaluation-results\"")
                                .orElse(0));
                assertEquals(
                        1,
                        trainer.metric(
                                        "pipeline_unreadable_records_total",
                                        "channel=\"epoch-markers\"",
                                        "run=\"" + RUN + "\"")
                                .orElse(0));
                for (ServiceProcess s : services) {
                    assertTrue(s.process().isAlive(), s.module() + " stopped:\n" + s.tail(30));
                    assertEquals(200, s.get("/q/health/live").statusCode(), s.module() + ":\n" + s.tail(30));
                }
                System.out.printf(
                        "hostile input: %d records on 8 topics and %d requests on 4 endpoints refused or dead-lettered;"
                                + " services that stopped: 0%n",
                        recordsSent, answers.size());
            }
        }
    }

    private static byte[] batch(BatchKind kind, long seed, int epoch, int index, int batchesInEpoch) {
        return AugmentedBatchCodec.encode(new AugmentedBatch(
                kind,
                seed,
                epoch,
                index,
                batchesInEpoch,
                new int[] {0, 1},
                new byte[2],
                new byte[2 * ImageGeometry.BYTES_PER_IMAGE]));
    }

    /** A PNG signature and a valid IHDR chunk declaring {@code width}x{@code height}, and nothing after. */
    static byte[] pngDeclaring(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII));
        ihdr.putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    private static String expect(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.uri() + ": " + response.body());
        assertTrue(response.body().contains("\"error\""), response.uri() + " says why: " + response.body());
        return response.body();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
