package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.SeedStateDict;
import dev.cifarpipeline.model.VggInference;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Six clients posting {@code /evaluator/score} in a loop while checkpoints arrive on Kafka. When the requests shared
 * the stream's scorer, and so its lock, a loop like this held the stream's scoring back past
 * {@code max.poll.interval.ms}: its group fenced it and results were discarded (tried: with six clients and a 20 s
 * interval, a result discarded). Now requests have their own scorer, one runs at a time (429 for the others), and
 * it pauses between batches while the stream scores: every checkpoint is scored once, none discarded.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ScoreRequestsDoNotStarveScoringTest {
    private static final Path LOGS = Path.of("target", "score-starvation").toAbsolutePath();
    private static final String RUN = "busy";
    private static final int TEST_IMAGES = 2000;
    private static final int CHECKPOINTS = 4;
    private static final int CLIENTS = 6;

    @Test
    void aScoreRequestLoopLeavesEveryCheckpointScoredOnce() throws Exception {
        byte[] model;
        ModelSpec spec = ModelSpec.of("vgg11", "batchnorm");
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = VggInference.initialised(spec, 3, manager)) {
            model = SeedStateDict.export(net.block(), Map.of(), 0);
        }
        try (InProcessKafka kafka = new InProcessKafka()) {
            EvaluatorCrashRecoveryTest.publishTestSet(kafka, TEST_IMAGES);
            Map<String, String> settings = Map.of(
                    "kafka.bootstrap.servers",
                    kafka.bootstrapServers(),
                    "kafka.max.poll.interval.ms",
                    "20000",
                    "evaluator.session-timeout",
                    "6s");
            try (ServiceProcess evaluator =
                    ServiceProcess.start("evaluator-service", "1g", settings, LOGS.resolve("evaluator"))) {
                evaluator.awaitReady(Duration.ofSeconds(90));
                Eventually.await(
                        "the evaluator holds the whole test set",
                        Duration.ofMinutes(2),
                        () -> evaluator
                                .get("/q/health")
                                .body()
                                .matches("(?s).*\"testSet\" ?: ?\"(\\d+)/\\1 batches\".*"));
                Map<Integer, Integer> answers = new ConcurrentHashMap<>();
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> loops = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    Thread loop = new Thread(() -> {
                        while (!stop.get()) {
                            try {
                                int status = evaluator
                                        .postBytes(
                                                "/evaluator/score?model=vgg11&layout=batchnorm",
                                                "application/octet-stream",
                                                model,
                                                evaluator.endpoint().bearer())
                                        .statusCode();
                                answers.merge(status, 1, Integer::sum);
                                if (status == 429) {
                                    Thread.sleep(1000); // sooner than its Retry-After; the load is the point
                                }
                            } catch (Exception e) {
                                answers.merge(-1, 1, Integer::sum);
                            }
                        }
                    });
                    loop.start();
                    loops.add(loop);
                }
                Eventually.await("a /score answered", Duration.ofMinutes(1), () -> answers.getOrDefault(200, 0) > 0);
                List<String> ids = new ArrayList<>();
                for (int epoch = 1; epoch <= CHECKPOINTS; epoch++) {
                    ids.add(EvaluatorCrashRecoveryTest.publishCheckpoint(kafka, RUN, epoch));
                }
                List<ConsumerRecord<String, byte[]>> results = kafka.readUntil(
                        Topics.EVALUATION_RESULTS,
                        180_000,
                        read -> read.size() >= CHECKPOINTS
                                || !evaluator.process().isAlive());
                stop.set(true);
                for (Thread t : loops) {
                    t.join(60_000);
                }
                Thread.sleep(2000); // room for a duplicate, were there one
                results = kafka.readUntil(Topics.EVALUATION_RESULTS, 5_000, r -> false);
                List<String> scored = results.stream()
                        .map(r -> EvaluationResult.fromJson(r.value()).checkpointId())
                        .toList();
                System.out.printf(
                        "score starvation: /score answers %s while %d checkpoints were scored%n",
                        answers, scored.size());
                assertEquals(ids, scored, "each checkpoint once, in order:\n" + evaluator.tail(30));
                assertEquals(
                        0,
                        evaluator.metric("evaluator_results_discarded_total").orElse(0),
                        "no result discarded:\n" + evaluator.tail(30));
                assertTrue(answers.getOrDefault(200, 0) >= 2, "the requests were served too: " + answers);
                assertEquals(
                        answers.getOrDefault(200, 0) + answers.getOrDefault(429, 0),
                        answers.values().stream().mapToInt(Integer::intValue).sum(),
                        "only 200 and 429: " + answers);
                assertEquals(200, evaluator.get("/q/health/live").statusCode());
            }
        }
    }
}
