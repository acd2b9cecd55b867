package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.sweep.SuccessiveHalving;
import dev.cifarpipeline.model.SafeTensors;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.testsupport.TopicReads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep with early stopping (ASHA, η = 3) on two packaged trainers, the evaluator and a real broker: eight runs of
 * three epochs, four with a workable learning rate and four with one too small to learn anything in an epoch, each
 * trainer training one run at a time (so the runs reach the rung in submission order, the workable ones first). The
 * trainers decide at the first rung (epoch 1) from the evaluator's results on Kafka: at least half the runs are cut
 * (RUNG_CUT, then STOPPED before their last epoch), the run with the best accuracy at the rung finishes, and every
 * run that was not cut finishes. The topics are the judge. The evaluator then serves the sweep's winner (standings,
 * predictions, safetensors) and the services' metrics show the sweep for its Grafana dashboard.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SweepEarlyStoppingTest {
    private static final Path LOGS = Path.of("target", "sweep-early-stopping").toAbsolutePath();
    private static final int RUNS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void atLeastHalfTheRunsAreCutAtTheFirstRungAndTheBestFinishes() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 1024, 100, 3); // 32 batches of 32 an epoch
        try (InProcessKafka kafka = new InProcessKafka()) {
            String bootstrap = kafka.bootstrapServers();
            try (ServiceProcess ingest = ServiceProcess.ingest(
                            bootstrap, dataset, 3, LOGS.resolve("ingest"), "ingest.max-epochs-ahead", "3");
                    // one run at a time on each trainer: the runs reach the rung in the order they were submitted,
                    // so what the rule is held to here does not depend on how two machines' threads interleave
                    ServiceProcess first = ServiceProcess.trainer(
                            bootstrap, LOGS.resolve("first"), "trainer.limits.max-active-runs", "1");
                    ServiceProcess second = ServiceProcess.trainer(
                            bootstrap, LOGS.resolve("second"), "trainer.limits.max-active-runs", "1");
                    ServiceProcess evaluator = ServiceProcess.evaluator(bootstrap, LOGS.resolve("evaluator"))) {
                ServiceProcess.awaitAllReady(List.of(ingest, first, second, evaluator));
                try (var admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientConfig())) {
                    TrainerFailoverTest.awaitTwoTrainersOwningPartitions(admin, "cifar-trainers");
                }
                // the workable rates first: they reach the rung first, as a sweep's first runs do
                String sweep = "{\"sweepId\":\"asha\",\"base\":{\"epochs\":3,\"ashaEta\":3},\"grid\":{"
                        + "\"maxLearningRate\":[0.02,0.03,0.015,0.025,0.00001,0.00002,0.00003,0.00005]}}";
                var created =
                        first.post("/trainer/sweeps", sweep, first.endpoint().bearer());
                assertEquals(201, created.statusCode(), created.body());
                List<String> runs = IntStream.rangeClosed(1, RUNS)
                        .mapToObj(i -> "asha-" + i)
                        .toList();

                List<ConsumerRecord<String, byte[]>> events = TopicReads.readUntil(
                        kafka.clientConfig(),
                        Topics.TRAINING_EVENTS,
                        Duration.ofMinutes(8),
                        read -> ended(read).keySet().containsAll(runs));
                Map<String, TrainingEvent.Type> ended = ended(events);
                assertEquals(
                        Set.copyOf(runs),
                        ended.keySet(),
                        "every run ended:\n" + first.tail(20) + "\n" + second.tail(20));
                Map<String, SuccessiveHalving.Decision> decisions = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : events) {
                    TrainingEvent e = TrainingEvent.fromJson(r.value());
                    if (e.type() == TrainingEvent.Type.RUNG_PASSED || e.type() == TrainingEvent.Type.RUNG_CUT) {
                        SuccessiveHalving.Decision d = SuccessiveHalving.Decision.parse(e.runId(), e.message())
                                .orElseThrow(() -> new AssertionError("unreadable decision: " + e.message()));
                        assertEquals(1, d.rung(), "one rung below the last of three epochs");
                        assertEquals(d.stop(), e.type() == TrainingEvent.Type.RUNG_CUT);
                        assertTrue(decisions.put(e.runId(), d) == null, "one decision per run and rung: " + e);
                    }
                }
                assertEquals(Set.copyOf(runs), decisions.keySet(), "every run decided at the rung");
                List<String> cut = decisions.values().stream()
                        .filter(SuccessiveHalving.Decision::stop)
                        .map(SuccessiveHalving.Decision::run)
                        .sorted()
                        .toList();
                assertTrue(cut.size() >= RUNS / 2, "at least half cut early: " + cut + " of " + decisions.values());
                for (String run : runs) {
                    TrainingEvent.Type expected =
                            cut.contains(run) ? TrainingEvent.Type.STOPPED : TrainingEvent.Type.FINISHED;
                    assertEquals(
                            expected,
                            ended.get(run),
                            run + " after " + decisions.get(run).describe());
                }
                SuccessiveHalving.Decision best = decisions.values().stream()
                        .max((a, b) -> Double.compare(a.metric(), b.metric()))
                        .orElseThrow();
                assertEquals(TrainingEvent.Type.FINISHED, ended.get(best.run()), "the best at the rung finishes");
                Map<String, EvaluationResult> bestByRun = new TreeMap<>();
                Map<String, Integer> lastEpoch = new HashMap<>();
                for (EvaluationResult r : results(kafka)) {
                    assertEquals("asha", r.sweep(), "each result names its run's sweep: " + r.runId());
                    lastEpoch.merge(r.runId(), r.epoch(), Math::max);
                    // a run's best: the highest accuracy, the later checkpoint on a tie (as the evaluator keeps it)
                    bestByRun.merge(r.runId(), r, (a, b) -> b.accuracy() >= a.accuracy() ? b : a);
                }
                for (String run : cut) {
                    assertTrue(
                            lastEpoch.getOrDefault(run, 0) < 3, run + " stopped before its last epoch: " + lastEpoch);
                }
                assertSweepServedAndShown(evaluator, List.of(first, second), bestByRun, cut.size());
                assertEquals(
                        0.0,
                        evaluator.metric("pipeline_dead_letter_records_total").orElse(0),
                        "nothing dead-lettered");
            }
        }
    }

    /** Each run's terminal event type (FINISHED or STOPPED). */
    private static Map<String, TrainingEvent.Type> ended(List<ConsumerRecord<String, byte[]>> events) {
        return events.stream()
                .map(r -> TrainingEvent.fromJson(r.value()))
                .filter(TrainingEvent::terminal)
                .collect(Collectors.toMap(TrainingEvent::runId, TrainingEvent::type, (a, b) -> a));
    }

    private static List<EvaluationResult> results(InProcessKafka kafka) {
        return TopicReads.readUntilThenDrain(
                        kafka.clientConfig(), Topics.EVALUATION_RESULTS, Duration.ofMinutes(2), read -> !read.isEmpty())
                .stream()
                .map(r -> EvaluationResult.fromJson(r.value()))
                .toList();
    }

    /**
     * The evaluator names the sweep's winner (the best checkpoint of all its runs, the first submitted on a tie), predicts
     * with it and exports it; Prometheus' series tie every run to the sweep and count the rung's cuts on each trainer.
     */
    private static void assertSweepServedAndShown(
            ServiceProcess evaluator, List<ServiceProcess> trainers, Map<String, EvaluationResult> bestByRun, int cut)
            throws Exception {
        EvaluationResult winner = null;
        for (EvaluationResult best : bestByRun.values()) { // run ids in order: a tie keeps the first
            if (winner == null || best.accuracy() > winner.accuracy()) {
                winner = best;
            }
        }
        String expected = winner.runId();
        JsonNode standings = Eventually.await(
                "the evaluator's standings of sweep asha with every run's best",
                Duration.ofMinutes(1),
                () -> JSON.readTree(evaluator.get("/evaluator/sweeps/asha").body()),
                s -> s.has("runs")
                        && s.get("runs").size() == RUNS
                        && expected.equals(s.get("winner").asText()));
        assertEquals(expected, standings.get("winner").asText(), standings.toString());
        assertEquals(expected, standings.get("runs").get(0).get("run").asText(), "the winner leads: " + standings);

        var predicted =
                evaluator.postBytes("/evaluator/predict?sweep=asha", "application/octet-stream", new byte[3072]);
        assertEquals(200, predicted.statusCode(), predicted.body());
        JsonNode prediction = JSON.readTree(predicted.body());
        assertEquals(expected, prediction.get("run").asText(), predicted.body());
        assertEquals(winner.checkpointId(), prediction.get("checkpoint").asText(), predicted.body());
        assertEquals(
                404,
                evaluator
                        .postBytes("/evaluator/predict?sweep=nobody", "application/octet-stream", new byte[3072])
                        .statusCode());
        assertEquals(
                400,
                evaluator
                        .postBytes(
                                "/evaluator/predict?sweep=asha&run=" + expected,
                                "application/octet-stream",
                                new byte[3072])
                        .statusCode());

        var file = evaluator.getBytes("/evaluator/sweeps/asha/best.safetensors");
        assertEquals(200, file.statusCode());
        SafeTensors.File weights = SafeTensors.read(file.body());
        assertEquals(expected, weights.metadata().get("run"));
        assertEquals(winner.checkpointId(), weights.metadata().get("checkpoint"));

        for (String run : bestByRun.keySet()) {
            assertEquals(
                    1.0,
                    evaluator
                            .metric("evaluator_run_sweep_info", "run=\"" + run + "\"", "sweep=\"asha\"")
                            .orElse(0),
                    run + " is tied to its sweep in the evaluator's metrics");
        }
        for (ServiceProcess trainer : trainers) { // each trainer replays every decision: both show the whole rung
            Eventually.await(
                    "trainer_sweep_rung_runs of rung 1 on each trainer",
                    Duration.ofSeconds(30),
                    () -> trainer.metric("trainer_sweep_rung_runs", "decision=\"cut\"", "rung=\"1\"", "sweep=\"asha\"")
                                    .orElse(-1)
                            + " cut, "
                            + trainer.metric(
                                            "trainer_sweep_rung_runs",
                                            "decision=\"passed\"",
                                            "rung=\"1\"",
                                            "sweep=\"asha\"")
                                    .orElse(-1)
                            + " passed",
                    shown -> shown.equals((double) cut + " cut, " + (double) (RUNS - cut) + " passed"));
            // every trainer reads every spec: each shows each run's learning rate beside it, for the leaderboard
            List<String> rates = List.of("0.02", "0.03", "0.015", "0.025", "0.00001", "0.00002", "0.00003", "0.00005");
            for (int i = 0; i < RUNS; i++) {
                assertEquals(
                        1.0,
                        trainer.metric(
                                        "trainer_sweep_run_values_info",
                                        "run=\"asha-" + (i + 1) + "\"",
                                        "sweep=\"asha\"",
                                        "values=\"maxLearningRate=" + rates.get(i) + "\"")
                                .orElse(0),
                        "asha-" + (i + 1) + "'s values, shown by every trainer");
            }
        }
    }
}
