package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.dataset.CifarDatasets;
import dev.cifarpipeline.dataset.CifarSplit;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.EpochLineage;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.model.SafeTensors;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole pipeline for real: an in-process KRaft broker and the three services as separate JVMs started
 * from their packaged jars, on a synthetic dataset in the official binary layout.
 *
 * <p>Settings: 2,000 training and 500 test images, batches of 32 (63 per epoch), 2 epochs, VGG11 with the
 * BatchNorm layout and OneCycle peaking at 0.02. The seed's own layout (dropout 0.5 after every conv, peak
 * 0.1 at batch 128) stays near chance for its first epochs even on easy data, so it cannot prove learning
 * within a CI budget; TrainingRunTest trains the seed layout itself. On this 2-core machine this configuration
 * reached 98.8 % after the first epoch.
 *
 * <p>Accuracy threshold: 0.5. Chance is 0.1 and a chance-level classifier's accuracy on 500 images has a
 * standard deviation of √(0.1·0.9/500) ≈ 0.013, so 0.5 is 30 σ above chance: it cannot pass without learning,
 * and it leaves a wide margin below the ~0.98 measured, so thread-scheduling nondeterminism cannot fail it.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class PipelineEndToEndTest {
    private static final String RUN = "e2e";
    private static final int EPOCHS = 2;
    private static final int BATCHES_PER_EPOCH = 63; // ceil(2,000 / 32)
    private static final double ACCURACY_THRESHOLD = 0.5;
    /** The stable preset with a gentler peak rate for a tiny dataset; BatchNorm learns it within two epochs. */
    private static final String RUN_SPEC =
            "{\"runId\":\"" + RUN + "\",\"epochs\":" + EPOCHS + ",\"maxLearningRate\":0.02,\"layout\":\"batchnorm\"}";

    private static final Path WORK = Path.of("target", "e2e").toAbsolutePath();
    private static InProcessKafka kafka;
    private static ServiceProcess ingest;
    private static ServiceProcess trainer;
    private static ServiceProcess evaluator;
    private static List<EvaluationResult> results;

    @BeforeAll
    static void runThePipeline() throws Exception {
        kafka = new InProcessKafka();
        Path dataset = WORK.resolve("dataset");
        SyntheticCifar.write(dataset, 2_000, 500, 7);

        // Bad records first, so each consumer meets one before the real data: it must dead-letter it and go on. The
        // topics are created as compose creates them; the bad batch is as large as its topic allows (1.5 MB), and
        // must still fit the dead-letter topic.
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicSpec.ensure(
                    admin,
                    List.of(
                            TopicSpec.stream(Topics.TRAIN_BATCHES),
                            TopicSpec.checkpoints(Topics.CHECKPOINTS, TopicSpec.DEFAULT_PARTITIONS)));
        }
        byte[] garbage = Arrays.copyOf(
                "this is not a batch record, though it is long enough to have a header"
                        .getBytes(StandardCharsets.UTF_8),
                1_500_000);
        kafka.produce(Topics.TRAIN_BATCHES, "garbage", garbage);
        kafka.produce(Topics.CHECKPOINTS, "garbage", new byte[] {0x43, 0x46, 0x43, 0x43, 1, 0});

        String bootstrap = kafka.bootstrapServers();
        Path logs = WORK.resolve("logs");
        evaluator = ServiceProcess.start("evaluator-service", "1g", Map.of("kafka.bootstrap.servers", bootstrap), logs);
        trainer = ServiceProcess.start(
                "trainer-service", "2g", Map.of("kafka.bootstrap.servers", bootstrap, "trainer.log-every", "20"), logs);
        ingest = ServiceProcess.start(
                "data-ingest-service",
                "1g",
                Map.of(
                        "kafka.bootstrap.servers",
                        bootstrap,
                        "ingest.dataset-dir",
                        dataset.toString(),
                        "ingest.epochs",
                        String.valueOf(EPOCHS),
                        "ingest.batch-size",
                        "32",
                        "ingest.stream-seed",
                        "11"),
                logs);
        for (ServiceProcess service : List.of(evaluator, trainer, ingest)) {
            service.awaitReady(Duration.ofSeconds(90));
        }
        // A spec that bypassed the REST checks: the trainer owning its partition must dead-letter it and go on.
        kafka.produce(
                Topics.RUN_SPECS, "broken", "{\"runId\":\"broken\",\"epochs\":0}".getBytes(StandardCharsets.UTF_8));
        trainer.submitRun(RUN_SPEC);

        List<ConsumerRecord<String, byte[]>> records = kafka.readUntil(
                Topics.EVALUATION_RESULTS,
                10 * 60_000,
                read -> read.stream().filter(r -> RUN.equals(r.key())).count() >= EPOCHS
                        || !trainer.process().isAlive());
        results = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            results.add(EvaluationResult.fromJson(r.value()));
        }
        System.out.println("--- trainer ---\n" + trainer.tail(12) + "\n--- evaluator ---\n" + evaluator.tail(6));
        assertEquals(EPOCHS, results.size(), "one result per epoch's checkpoint; trainer log:\n" + trainer.tail(30));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (ServiceProcess service : new ServiceProcess[] {ingest, trainer, evaluator}) {
            if (service != null) {
                service.close();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyPublishedBatchWasTrainedOnExactlyOnce() throws Exception {
        // What is on the topic: every (epoch, batch) exactly once, plus the one garbage record.
        List<ConsumerRecord<String, byte[]>> onTopic =
                kafka.readUntil(Topics.TRAIN_BATCHES, 60_000, read -> read.size() >= EPOCHS * BATCHES_PER_EPOCH + 1);
        Set<String> ids = new HashSet<>();
        int valid = 0;
        for (ConsumerRecord<String, byte[]> r : onTopic) {
            try {
                AugmentedBatch batch = AugmentedBatchCodec.decode(r.value());
                assertTrue(ids.add(batch.id()), "published once: " + batch.id());
                valid++;
            } catch (RecordFormatException garbage) {
                assertEquals("garbage", r.key());
            }
        }
        assertEquals(EPOCHS * BATCHES_PER_EPOCH, valid);

        double published = ingest.metric("ingest_batches_published_total", "kind=\"train\"")
                .orElseThrow();
        assertEquals(EPOCHS * BATCHES_PER_EPOCH, published, 0.0);
        assertEquals(
                published,
                trainer.metric("trainer_batches_received_total", "run=\"" + RUN + "\"")
                        .orElseThrow(),
                0.0);
        assertEquals(
                published,
                trainer.metric("trainer_batches_total", "outcome=\"train\"", "run=\"" + RUN + "\"")
                        .orElseThrow(),
                0.0);
        assertEquals(
                0,
                trainer.metric("trainer_batches_total", "outcome=\"duplicate\"", "run=\"" + RUN + "\"")
                        .orElseThrow(),
                0.0,
                "no batch was seen twice");
        assertEquals(
                EPOCHS,
                trainer.metric("trainer_epochs_completed", "run=\"" + RUN + "\"")
                        .orElseThrow(),
                0.0);

        // And the lineage the final checkpoint carries says the same: one full pass per epoch, no duplicates.
        CheckpointManifest last = checkpoints().get(EPOCHS - 1).manifest();
        List<EpochLineage> expected = new ArrayList<>();
        for (int e = 0; e < EPOCHS; e++) {
            expected.add(new EpochLineage(e, BATCHES_PER_EPOCH, BATCHES_PER_EPOCH, 0));
        }
        assertEquals(expected, last.lineage());
        assertEquals(EPOCHS * BATCHES_PER_EPOCH, last.step());
    }

    @Test
    void checkpointsArrivedIntactAndTheEvaluatorScoredEachOfThem() throws Exception {
        List<VerifiedCheckpoint> verified = checkpoints(); // reassembled and SHA-256-checked here, independently
        assertEquals(EPOCHS, verified.size());
        for (int i = 0; i < EPOCHS; i++) {
            CheckpointManifest m = verified.get(i).manifest();
            assertEquals(i + 1, m.epoch());
            assertTrue(m.sizeBytes() > 4 * 9_272_790L, "float32 VGG11 weights: " + m.sizeBytes());
            assertEquals(m.checkpointId(), results.get(i).checkpointId());
            assertEquals(m.step(), results.get(i).step());
        }
        assertEquals(
                EPOCHS,
                evaluator
                        .metric("evaluator_checkpoints_scored_total", "run=\"" + RUN + "\"")
                        .orElseThrow(),
                0.0);
        assertEquals(
                EPOCHS,
                trainer.metric("trainer_checkpoints_published_total", "run=\"" + RUN + "\"")
                        .orElseThrow(),
                0.0);
    }

    @Test
    void resultEventAccuracyIsWhatPrometheusScrapes() throws Exception {
        EvaluationResult latest = results.get(results.size() - 1);
        assertEquals(
                latest.accuracy(),
                evaluator
                        .metric("evaluator_test_accuracy", "run=\"" + RUN + "\"")
                        .orElseThrow(),
                0.0);
        assertEquals(
                latest.meanLoss(),
                evaluator.metric("evaluator_test_loss", "run=\"" + RUN + "\"").orElseThrow(),
                1e-12);
        assertEquals(500, latest.testImages());
        String rest = evaluator.get("/evaluator/results").body();
        assertTrue(rest.contains(latest.checkpointId()), rest);
    }

    @Test
    void theRunsBestModelComesAsSafetensorsInTheSeedsNamesAndServesPredictions() throws Exception {
        EvaluationResult best = results.stream()
                .max(Comparator.comparingDouble(EvaluationResult::accuracy))
                .orElseThrow();
        var response = evaluator.getBytes("/evaluator/runs/" + RUN + "/best.safetensors");
        assertEquals(200, response.statusCode());
        var file = SafeTensors.read(response.body());
        assertEquals(best.checkpointId(), file.metadata().get("checkpoint"));
        assertEquals(
                List.of(64L, 3L, 3L, 3L),
                Arrays.stream(file.tensors().get("layer1.conv2D1.weight").shape())
                        .boxed()
                        .toList());
        assertTrue(
                file.tensors().containsKey("layer1.bn1.running_var")
                        && file.tensors().containsKey("layer6.2.bias"),
                file.tensors().keySet().toString());

        // a test image of each class in turn: the best model names most of them right, with probabilities that sum to 1
        CifarSplit tests = CifarDatasets.read(WORK.resolve("dataset")).test();
        int right = 0;
        for (int i = 0; i < 20; i++) {
            byte[] chw = Arrays.copyOfRange(tests.pixels(), i * 3072, (i + 1) * 3072);
            var predicted = evaluator.postBytes("/evaluator/predict?run=" + RUN, "application/octet-stream", chw);
            assertEquals(200, predicted.statusCode(), predicted.body());
            var json = new ObjectMapper().readTree(predicted.body());
            double sum = 0;
            for (var p : json.get("probabilities")) {
                sum += p.asDouble();
            }
            assertEquals(1.0, sum, 1e-6);
            right += json.get("predicted").asText().equals(ImageGeometry.CLASS_NAMES.get(tests.labels()[i])) ? 1 : 0;
        }
        assertTrue(right >= 10, right + " of 20 predictions right");
        var bad = evaluator.postBytes("/evaluator/predict?run=" + RUN, "application/octet-stream", new byte[12]);
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("raw image has 12 bytes"), bad.body());
        assertEquals(
                404,
                evaluator
                        .postBytes("/evaluator/predict?run=nobody", "application/octet-stream", new byte[3072])
                        .statusCode());

        // and the file, uploaded, scores as the run's best checkpoint did: for the holder of the API token only
        String score = "/evaluator/score?model=vgg11&layout=batchnorm";
        var anonymous = evaluator.postBytes(score, "application/octet-stream", response.body());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertTrue(
                anonymous.body().contains("scoring a model needs 'Authorization: Bearer <token>'"), anonymous.body());
        var guessed = evaluator.postBytes(
                "//evaluator/score/?model=vgg11",
                "application/octet-stream",
                response.body(),
                "Authorization",
                "Bearer x");
        assertEquals(401, guessed.statusCode(), guessed.body());
        var rescored = evaluator.postBytes(
                score,
                "application/octet-stream",
                response.body(),
                evaluator.endpoint().bearer());
        assertEquals(200, rescored.statusCode(), rescored.body());
        assertEquals(
                best.accuracy(),
                new ObjectMapper().readTree(rescored.body()).get("accuracy").asDouble(),
                1e-9);
        assertTrue(evaluator.get("/evaluator/runs").body().contains("\"best\""));
        assertTrue(evaluator
                .metric("evaluator_class_accuracy", "run=\"" + RUN + "\"", "class=\"truck\"")
                .isPresent());
    }

    @Test
    void accuracyOnTheSyntheticTestSetIsWellAboveChance() {
        EvaluationResult latest = results.get(results.size() - 1);
        System.out.printf(
                "end-to-end test accuracy after %d epochs: %.4f (threshold %.2f)%n",
                latest.epoch(), latest.accuracy(), ACCURACY_THRESHOLD);
        assertTrue(
                latest.accuracy() >= ACCURACY_THRESHOLD,
                "accuracy " + latest.accuracy() + " after " + latest.epoch() + " epochs");
        assertTrue(latest.meanLoss() < Math.log(10), "test loss below chance level ln 10: " + latest.meanLoss());
    }

    @Test
    void badRecordsWentToTheDeadLetterTopicWithTheirReasonAndWereCounted() throws Exception {
        List<ConsumerRecord<String, byte[]>> dead =
                kafka.readUntil(Topics.DEAD_LETTER, 60_000, read -> read.size() >= 3);
        assertEquals(3, dead.size());
        Map<String, String> reasonByTopic = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : dead) {
            reasonByTopic.put(header(r, DeadLetter.TOPIC_HEADER), header(r, DeadLetter.REASON_HEADER));
            if (header(r, DeadLetter.TOPIC_HEADER).equals(Topics.TRAIN_BATCHES)) {
                assertEquals(1_500_000, r.value().length, "the 1.5 MB bad batch is parked whole");
            }
        }
        assertTrue(
                reasonByTopic.get(Topics.TRAIN_BATCHES).contains("AugmentedBatch: bad magic"),
                reasonByTopic.toString());
        assertTrue(reasonByTopic.get(Topics.CHECKPOINTS).contains("CheckpointChunk"), reasonByTopic.toString());
        assertTrue(
                reasonByTopic.get(Topics.RUN_SPECS).contains("run spec broken: epochs must be at least 1, got 0"),
                reasonByTopic.toString());
        assertEquals(
                1,
                trainer.metric("pipeline_dead_letter_records_total", "service=\"trainer\"", "channel=\"train-batches\"")
                        .orElseThrow(),
                0.0);
        assertEquals(
                1,
                trainer.metric("pipeline_dead_letter_records_total", "service=\"trainer\"", "channel=\"run-specs\"")
                        .orElseThrow(),
                0.0);
        assertEquals(
                1,
                evaluator
                        .metric(
                                "pipeline_dead_letter_records_total",
                                "service=\"evaluator\"",
                                "channel=\"checkpoints\"")
                        .orElseThrow(),
                0.0);
        assertEquals(
                0,
                evaluator
                        .metric(
                                "pipeline_dead_letter_records_total",
                                "service=\"evaluator\"",
                                "channel=\"test-batches\"")
                        .orElseThrow(),
                0.0,
                "registered at zero, so alerts read 0 rather than no data");
    }

    @Test
    void runSubmissionsAreCheckedBeforeTheyReachTheTopic() throws Exception {
        String[] token = trainer.endpoint().bearer();
        var typo = trainer.post("/trainer/runs", "{\"runId\":\"typo\",\"epoch\":3}", token);
        assertEquals(400, typo.statusCode(), typo.body());
        assertTrue(typo.body().contains("unknown key 'epoch'"), typo.body());
        var unknownModel = trainer.post("/trainer/runs", "{\"runId\":\"m\",\"model\":\"resnet50\"}", token);
        assertEquals(400, unknownModel.statusCode(), unknownModel.body());
        assertTrue(unknownModel.body().contains("unknown model 'resnet50'"), unknownModel.body());
        var again = trainer.post("/trainer/runs", RUN_SPEC, token);
        assertEquals(409, again.statusCode(), again.body());
        assertTrue(again.body().contains("run e2e exists already"), again.body());
        String hosted = trainer.get("/trainer/runs").body();
        assertTrue(hosted.contains("\"runId\":\"e2e\"") && hosted.contains("\"state\":\"FINISHED\""), hosted);
    }

    /**
     * Each route takes the body it needs and no more: a body declared larger is refused with 413 from its declared
     * length (one image for /predict, a run spec for /trainer/runs), and the services go on serving.
     */
    @Test
    void oversizedBodiesAreRefusedByTheirRoutesLimit() throws Exception {
        var image = evaluator.postBytes("/evaluator/predict?run=" + RUN, "image/png", new byte[5 << 20]);
        assertEquals(413, image.statusCode(), image.body());
        assertTrue(
                image.body().contains("/evaluator/predict takes at most 1048576 bytes; this request declares 5242880"),
                image.body());
        var spec = trainer.post("/trainer/runs", "{\"runId\":\"big\",\"preset\":\"" + "x".repeat(100_000) + "\"}");
        assertEquals(413, spec.statusCode(), spec.body());
        assertTrue(spec.body().contains("/trainer/runs takes at most 65536 bytes"), spec.body());
        assertEquals(200, evaluator.get("/q/health/live").statusCode());
        assertEquals(200, trainer.get("/q/health/live").statusCode());
    }

    @Test
    void everyServiceAnswersHealth() throws Exception {
        for (ServiceProcess service : List.of(ingest, trainer, evaluator)) {
            assertEquals(200, service.get("/q/health").statusCode());
            assertTrue(service.get("/q/health/live").body().contains("\"UP\""));
        }
        assertTrue(ingest.get("/ingest/status").body().contains("\"FINISHED\""));
    }

    private static List<VerifiedCheckpoint> checkpoints() {
        List<ConsumerRecord<String, byte[]>> records = kafka.readUntil(
                Topics.CHECKPOINTS,
                60_000,
                read -> read.stream()
                                .filter(r -> r.value().length > 4 && r.value()[3] == 'M')
                                .count()
                        >= EPOCHS);
        CheckpointAssembler assembler = new CheckpointAssembler(4, 512L << 20);
        List<VerifiedCheckpoint> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (RUN.equals(r.key())) {
                assembler.accept(CheckpointRecordCodec.decode(r.value())).ifPresent(out::add);
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
