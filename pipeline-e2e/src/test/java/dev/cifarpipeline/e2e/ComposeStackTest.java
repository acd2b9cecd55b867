package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.model.SafeTensors;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.TopicReads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docker-compose.yml} itself, run in real containers by the real compose CLI on a real Docker engine, the way
 * a user runs it (bin/compose-check builds the images first). One stack, brought up from cold, carries the cases in
 * order; settings come as a user's {@code .env} would give them: a small synthetic dataset in CIFAR10_DIR, a 2-epoch
 * stream of batches of 32 (runs of 2 epochs), a default run. Everything is checked from this machine through the published
 * ports: the trainers' API, the evaluator, Prometheus, and Kafka's host listener, whose topics are the evidence for
 * "trained once, scored once". Grafana is left out (no image of it can be had here). Not part of {@code ./mvnw
 * verify}: bin/compose-check runs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ComposeStackTest {
    static final int EPOCHS = 2;
    static final int BATCHES_PER_EPOCH = 20; // 640 images in batches of 32
    static final String DEFAULT_RUN = "first";
    /** A sweep of one run, submitted through the published port; its run is {@link #SWEEP_RUN}. */
    static final String SWEEP = "via-port";

    static final String SWEEP_RUN = SWEEP + "-1";
    /** Every service but Grafana, whose image cannot be had here. */
    static final String[] SERVICES = {
        "kafka",
        "kafka-topics",
        "data-ingest-service",
        "trainer-service",
        "trainer-api",
        "evaluator-service",
        "default-run",
        "prometheus"
    };

    static final String[] LONG_RUNNING = {
        "kafka", "data-ingest-service", "trainer-service", "trainer-api", "evaluator-service", "prometheus"
    };
    private static final Path WORK = Path.of("target", "compose-check").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> kafka = Map.of("bootstrap.servers", "localhost:29092");
    private final RunAudit audit = new RunAudit(kafka);
    private final ServiceEndpoint trainers = new ServiceEndpoint("127.0.0.1", 8082);
    private final ServiceEndpoint evaluator = new ServiceEndpoint("127.0.0.1", 8083);
    private ComposeStack stack;

    /** The environment a user would put in .env for a small stack on a synthetic dataset. */
    static Map<String, String> smallStack(Path dataset) {
        return Map.of(
                "CIFAR10_DIR",
                dataset.toString(),
                "INGEST_EPOCHS",
                String.valueOf(EPOCHS),
                "INGEST_BATCH_SIZE",
                "32",
                "PIPELINE_RUN",
                "runId=" + DEFAULT_RUN + " epochs=" + EPOCHS + " maxLearningRate=0.02");
    }

    static Path syntheticDataset() throws Exception {
        Path dataset = WORK.resolve("dataset");
        SyntheticCifar.write(dataset, 32 * BATCHES_PER_EPOCH, 200, 7);
        return dataset;
    }

    @BeforeAll
    void cleanSlate() throws Exception {
        stack = new ComposeStack(
                "cifarcheck", List.of("docker-compose.yml"), smallStack(syntheticDataset()), WORK.resolve("logs"));
        stack.down(); // what an earlier, interrupted check left
    }

    @AfterAll
    void down() throws Exception {
        stack.down();
    }

    @Test
    @Order(1)
    void upFromColdTrainsTheDefaultRunWithNoFurtherCommand() throws Exception {
        long start = System.nanoTime();
        stack.compose(Duration.ofMinutes(8), prepend("up", "--detach", SERVICES))
                .orFail("docker-compose up");
        stack.awaitHealthy(
                Duration.ofMinutes(4), "kafka", "data-ingest-service", "trainer-service", "evaluator-service");
        assertEquals(0, stack.awaitExit("default-run", Duration.ofMinutes(3)), stack.logs("default-run", 20));
        assertTrue(
                stack.logs("default-run", 20).contains("submitted run " + DEFAULT_RUN), stack.logs("default-run", 20));
        // secure by default: the stack made up a token, and the API refuses whoever does not send it
        var anonymous = trainers.post("/trainer/runs", "{\"runId\":\"anonymous\"}");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        var guessed = evaluator.postBytes(
                "/evaluator/score", "application/octet-stream", new byte[16], "Authorization", "Bearer guess");
        assertEquals(401, guessed.statusCode(), guessed.body());
        assertTrue(apiToken().matches("[0-9a-f]{64}"), "a generated token of 32 random bytes");

        TopicReads.readUntil(
                kafka,
                Topics.EVALUATION_RESULTS,
                Duration.ofMinutes(5),
                read -> !resultsOf(read, DEFAULT_RUN).isEmpty());
        System.out.printf(
                "compose-check: from docker-compose up to the first evaluation result: %.0f s%n",
                (System.nanoTime() - start) / 1e9);
        assertTrue(
                audit.awaitFinished(List.of(DEFAULT_RUN), Duration.ofMinutes(5), () -> false),
                stack.logs("trainer-service", 40));
        audit.assertTrainedOnceAndScoredOnce(DEFAULT_RUN, EPOCHS, BATCHES_PER_EPOCH);
    }

    @Test
    @Order(2)
    void aSweepSubmittedThroughThePublishedTrainerPortIsTrainedScoredOnceAndItsWinnerServedOverHttp() throws Exception {
        // a sweep of one run, with early stopping: its rung decision is made and shown, and nothing is cut
        ServiceEndpoint api = trainers.withApiToken(apiToken());
        var created = api.post(
                "/trainer/sweeps",
                "{\"sweepId\":\"" + SWEEP + "\",\"base\":{\"epochs\":" + EPOCHS
                        + ",\"maxLearningRate\":0.02,\"ashaEta\":2},\"grid\":{\"weightDecay\":[0.0005]}}",
                api.bearer());
        assertEquals(201, created.statusCode(), created.body());
        String run = SWEEP_RUN;
        assertTrue(
                audit.awaitFinished(List.of(run), Duration.ofMinutes(5), () -> false),
                stack.logs("trainer-service", 40));
        audit.assertTrainedOnceAndScoredOnce(run, EPOCHS, BATCHES_PER_EPOCH);

        List<EvaluationResult> results = resultsOf(
                TopicReads.readUntilThenDrain(
                        kafka,
                        Topics.EVALUATION_RESULTS,
                        Duration.ofMinutes(1),
                        read -> resultsOf(read, run).size() >= EPOCHS),
                run);
        EvaluationResult best = results.stream()
                .max((a, b) -> Double.compare(a.accuracy(), b.accuracy()))
                .orElseThrow();
        assertEquals(SWEEP, best.sweep(), "the result names the run's sweep");
        JsonNode served = JSON.readTree(evaluator.get("/evaluator/runs/" + run).body());
        assertEquals(results.size(), served.get("results").size(), served.toString());
        assertEquals(best.checkpointId(), served.get("best").get("checkpointId").asText(), served.toString());
        assertEquals(best.accuracy(), served.get("best").get("accuracy").asDouble(), 1e-12);
        assertTrue(best.accuracy() > 0.5, "well above chance (0.1): " + best.accuracy());
        JsonNode standings =
                JSON.readTree(evaluator.get("/evaluator/sweeps/" + SWEEP).body());
        assertEquals(run, standings.get("winner").asText(), standings.toString());

        var file = evaluator.getBytes("/evaluator/sweeps/" + SWEEP + "/best.safetensors");
        assertEquals(200, file.statusCode());
        SafeTensors.File weights = SafeTensors.read(file.body());
        assertEquals(best.checkpointId(), weights.metadata().get("checkpoint"));
        assertTrue(
                weights.tensors().containsKey("layer1.conv2D1.weight"),
                weights.tensors().keySet().toString());
        var predicted = evaluator.postBytes(
                "/evaluator/predict?sweep=" + SWEEP, "application/octet-stream", new byte[32 * 32 * 3]);
        assertEquals(200, predicted.statusCode(), predicted.body());
        assertEquals(run, JSON.readTree(predicted.body()).get("run").asText(), predicted.body());
    }

    @Test
    @Order(3)
    void prometheusScrapesEveryServiceByItsComposeNameAndEveryPanelShowsData() throws Exception {
        PrometheusApi prometheus = new PrometheusApi(9090);
        Set<String> jobs = new TreeSet<>();
        List<PrometheusApi.PanelQuery> empty = new ArrayList<>();
        double[] scraped = {Double.NaN};
        double published = resultsOf(
                        TopicReads.readUntilThenDrain(
                                kafka,
                                Topics.EVALUATION_RESULTS,
                                Duration.ofMinutes(1),
                                read -> !resultsOf(read, SWEEP_RUN).isEmpty()),
                        SWEEP_RUN)
                .stream()
                .reduce((a, b) -> b)
                .orElseThrow()
                .accuracy();
        Path dashboards = ComposeStack.ROOT.resolve("dashboard/grafana/dashboards");
        // the scrape interval is 15 s, and rates need two samples
        Eventually.await(
                "Prometheus scraping all three services, the run's accuracy and every panel",
                Duration.ofMinutes(2),
                () -> {
                    jobs.clear();
                    prometheus
                            .query("up == 1")
                            .forEach(s -> jobs.add(s.get("metric").get("job").asText()));
                    List<JsonNode> accuracy = prometheus.query("evaluator_test_accuracy{run=\"" + SWEEP_RUN + "\"}");
                    scraped[0] = accuracy.isEmpty()
                            ? Double.NaN
                            : accuracy.get(0).get("value").get(1).asDouble();
                    empty.clear();
                    empty.addAll(prometheus.panelsWithoutSeries(dashboards));
                    return jobs.size() == 3 && scraped[0] == published && empty.isEmpty();
                });
        assertEquals(
                Set.of("data-ingest-service", "trainer-service", "evaluator-service"),
                jobs,
                "targets up, found by their compose names");
        assertEquals(published, scraped[0], "the run's accuracy in Prometheus is the one on the results topic");
        assertTrue(empty.isEmpty(), "panel queries without series:\n" + empty);
        System.out.println(
                "compose-check: " + PrometheusApi.panelQueries(dashboards).size()
                        + " panel queries, each returned series from the compose stack's Prometheus");
    }

    @Test
    @Order(4)
    void restartingTheWholeStackCarriesTheRunOnAndNoContainerIsLeftRestarting() throws Exception {
        String run = "restarted";
        submit(run);
        awaitStep(run, 5);
        stack.compose(Duration.ofMinutes(6), "restart").orFail("docker-compose restart");
        stack.awaitHealthy(Duration.ofMinutes(4), LONG_RUNNING);
        assertEquals(0, stack.awaitExit("default-run", Duration.ofMinutes(3)), stack.logs("default-run", 20));
        assertTrue(
                stack.logs("default-run", 5).contains("run " + DEFAULT_RUN + " is there already, left as it is"),
                stack.logs("default-run", 5));
        assertEquals(0, stack.awaitExit("kafka-topics", Duration.ofMinutes(2)), stack.logs("kafka-topics", 20));

        assertTrue(
                audit.awaitFinished(List.of(run), Duration.ofMinutes(6), () -> false),
                stack.logs("trainer-service", 40));
        audit.assertTrainedOnceAndScoredOnce(run, EPOCHS, BATCHES_PER_EPOCH);
        assertNoContainerRestartedByItself(LONG_RUNNING);
    }

    @Test
    @Order(5)
    void twoTrainerReplicasTrainTwoRunsAtOnceAndAKilledOnesRunMovesToTheOther() throws Exception {
        List<String> upScaled = new ArrayList<>(List.of("up", "--detach", "--scale", "trainer-service=2"));
        upScaled.addAll(List.of(SERVICES));
        stack.compose(Duration.ofMinutes(5), upScaled.toArray(String[]::new))
                .orFail("docker-compose up --scale trainer-service=2");
        stack.awaitHealthy(Duration.ofMinutes(3), "trainer-service");
        List<String> replicas = stack.containers("trainer-service");
        assertEquals(2, replicas.size(), "two trainer containers");
        try (Admin admin = Admin.create(kafka)) {
            TrainerFailoverTest.awaitTwoTrainersOwningPartitions(admin, "cifar-trainers");
        }
        submit("left");
        submit("right");

        // each replica trains one of them, at the same time
        Map<String, String> hosted = Eventually.await(
                "both runs training, one on each replica",
                Duration.ofMinutes(2),
                () -> {
                    Map<String, String> seen = new HashMap<>();
                    for (String replica : replicas) {
                        for (JsonNode r : runsOn(replica)) {
                            if (r.get("state").asText().equals("TRAINING")
                                    && r.get("step").asLong() > 0) {
                                seen.put(r.get("runId").asText(), replica);
                            }
                        }
                    }
                    return seen;
                },
                seen -> seen.keySet().containsAll(List.of("left", "right")));
        assertTrue(!hosted.get("left").equals(hosted.get("right")), "one run per replica: " + hosted);
        String victimRun = "left";
        String victim = hosted.get(victimRun);
        awaitStepOn(victim, victimRun, BATCHES_PER_EPOCH + 5); // into its second epoch, past the first checkpoint
        ComposeStack.docker(Duration.ofMinutes(1), "kill", victim).orFail("docker kill " + victim);

        assertTrue(
                audit.awaitFinished(List.of("left", "right"), Duration.ofMinutes(8), () -> false),
                stack.logs("trainer-service", 60));
        for (String run : List.of("left", "right")) {
            audit.assertTrainedOnceAndScoredOnce(run, EPOCHS, BATCHES_PER_EPOCH);
        }
        List<TrainingEvent> claims = events(victimRun, TrainingEvent.Type.CLAIMED);
        assertTrue(
                claims.stream().anyMatch(c -> c.step() >= BATCHES_PER_EPOCH),
                "the killed replica's run was claimed again and resumed from its epoch-1 checkpoint: " + claims);
    }

    @Test
    @Order(6)
    void restartingTheKafkaContainerMidRunLosesNothingAndDoublesNothing() throws Exception {
        String run = "steady";
        submit(run);
        awaitStep(run, 5);
        String broker = stack.containers("kafka").get(0);
        ComposeStack.docker(Duration.ofMinutes(3), "restart", broker).orFail("docker restart kafka");

        assertTrue(
                audit.awaitFinished(List.of(run), Duration.ofMinutes(6), () -> false),
                stack.logs("trainer-service", 60));
        audit.assertTrainedOnceAndScoredOnce(run, EPOCHS, BATCHES_PER_EPOCH);
        audit.assertStreamHoldsEachBatchOnce(EPOCHS, BATCHES_PER_EPOCH);
        assertNoContainerRestartedByItself("kafka", "data-ingest-service", "evaluator-service", "prometheus");
    }

    @Test
    @Order(7)
    void downWithVolumesLeavesNoContainerNetworkOrVolume() throws Exception {
        stack.down().orFail("docker-compose down --volumes");
        Map<String, List<String>> left = stack.leftovers();
        left.forEach((kind, ids) -> assertTrue(ids.isEmpty(), "docker-compose down -v left " + kind + ": " + ids));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** Submits a run of the stream's epochs through the trainers' published port. */
    private void submit(String run) throws Exception {
        trainers.withApiToken(apiToken())
                .submitRun("{\"runId\":\"" + run + "\",\"epochs\":" + EPOCHS + ",\"maxLearningRate\":0.02}");
    }

    /** The token the api-token service made, as a user reads it: from the evaluator container (there is always one). */
    private String apiToken() throws Exception {
        ComposeStack.Result token = stack.compose(
                Duration.ofSeconds(30), "exec", "-T", "evaluator-service", "cat", "/run/pipeline-api/token");
        token.orFail("reading the API token");
        String[] lines = token.output().trim().split("\n"); // the file's one line, after anything compose warns
        return lines[lines.length - 1].trim();
    }

    static String[] prepend(String a, String b, String... rest) {
        List<String> all = new ArrayList<>(List.of(a, b));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    static List<EvaluationResult> resultsOf(List<ConsumerRecord<String, byte[]>> read, String run) {
        return read.stream()
                .map(r -> EvaluationResult.fromJson(r.value()))
                .filter(r -> r.runId().equals(run))
                .toList();
    }

    private List<TrainingEvent> events(String run, TrainingEvent.Type type) {
        return TopicReads.readUntilThenDrain(kafka, Topics.TRAINING_EVENTS, Duration.ofSeconds(30), read -> true)
                .stream()
                .map(r -> TrainingEvent.fromJson(r.value()))
                .filter(e -> e.runId().equals(run) && e.type() == type)
                .toList();
    }

    /** The runs one trainer container hosts ({@code GET /trainer/runs} inside it: the published port reaches any replica). */
    private static List<JsonNode> runsOn(String container) throws Exception {
        ComposeStack.Result r = ComposeStack.docker(
                Duration.ofSeconds(30), "exec", container, "curl", "-fsS", "http://localhost:8082/trainer/runs");
        List<JsonNode> out = new ArrayList<>();
        if (r.status() == 0) {
            JSON.readTree(r.output()).get("runs").forEach(out::add);
        }
        return out;
    }

    private static void awaitStepOn(String container, String run, long step) throws Exception {
        Eventually.await(
                "run " + run + " at step " + step + " on " + container,
                Duration.ofMinutes(4),
                () -> runsOn(container),
                runs -> runs.stream()
                        .anyMatch(r -> r.get("runId").asText().equals(run)
                                && r.get("step").asLong() >= step));
    }

    /** Waits until {@code run} has trained {@code step} steps on whichever trainer container holds it. */
    private void awaitStep(String run, long step) throws Exception {
        Eventually.await(
                "run " + run + " at step " + step,
                Duration.ofMinutes(4),
                () -> {
                    List<JsonNode> all = new ArrayList<>();
                    for (String replica : stack.containers("trainer-service")) {
                        all.addAll(runsOn(replica));
                    }
                    return all;
                },
                runs -> runs.stream()
                        .anyMatch(r -> r.get("runId").asText().equals(run)
                                && r.get("step").asLong() >= step),
                () -> stack.logs("trainer-service", 30));
    }

    private void assertNoContainerRestartedByItself(String... services) throws Exception {
        for (String service : services) {
            for (String id : stack.containers(service)) {
                String state = ComposeStack.inspect(id, "{{.RestartCount}} {{.State.Restarting}} {{.State.Status}}");
                assertEquals(
                        "0 false running",
                        state,
                        service + " " + id + ": restart count, restarting, status\n" + stack.logs(service, 30));
            }
        }
    }
}
