package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.testsupport.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away in the middle of a run and comes back: a real broker process ({@code bin/kafka-broker})
 * is stopped while the trainer is in its first epoch and ingest is still publishing, and started again on the same
 * port and data 8 s later. The three packaged services ride it out without a restart of their own: the run
 * finishes with every batch trained exactly once per epoch, every checkpoint is scored exactly once, the stream
 * holds every batch of both epochs once, and nothing was dead-lettered.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BrokerRestartTest {
    private static final Path LOGS = Path.of("target", "broker-restart").toAbsolutePath();
    private static final int EPOCHS = 2;
    private static final int BATCHES_PER_EPOCH = 25; // 800 images in batches of 32
    private static final String RUN = "steady";

    @TempDir
    Path dir;

    @Test
    void aRunOutlivesTheBrokerStoppingAndComingBack() throws Exception {
        Path brokerDir = dir.resolve("kafka");
        int port = ServiceProcess.freePort();
        String bootstrap = "localhost:" + port;
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
        try (BrokerProcess broker = BrokerProcess.start(brokerDir, port)) {
            Path dataset = dir.resolve("dataset");
            SyntheticCifar.write(dataset, 800, 100, 5);
            try (ServiceProcess ingest = ServiceProcess.ingest(
                            bootstrap, dataset, EPOCHS, LOGS.resolve("ingest"), "ingest.max-epochs-ahead", "0");
                    ServiceProcess trainer =
                            ServiceProcess.trainer(bootstrap, LOGS.resolve("trainer"), "trainer.log-every", "5");
                    ServiceProcess evaluator = ServiceProcess.evaluator(bootstrap, LOGS.resolve("evaluator"))) {
                ServiceProcess.awaitAllReady(List.of(ingest, trainer, evaluator));
                trainer.submitRun("{\"runId\":\"" + RUN + "\",\"epochs\":" + EPOCHS + ",\"maxLearningRate\":0.02}");
                awaitSteps(trainer, 8);

                broker.stop();
                Thread.sleep(8_000);
                for (ServiceProcess s : List.of(ingest, trainer, evaluator)) {
                    assertTrue(s.process().isAlive(), s.module() + " survived the broker's absence:\n" + s.tail(30));
                }
                broker.startAgain();

                RunAudit audit = new RunAudit(client);
                assertTrue(
                        audit.awaitFinished(
                                List.of(RUN),
                                Duration.ofMinutes(5),
                                () -> !trainer.process().isAlive()),
                        "the run finished:\n" + trainer.tail(40));
                audit.assertTrainedOnceAndScoredOnce(RUN, EPOCHS, BATCHES_PER_EPOCH);

                audit.assertStreamHoldsEachBatchOnce(EPOCHS, BATCHES_PER_EPOCH);
                for (ServiceProcess s : List.of(ingest, trainer, evaluator)) {
                    assertEquals(
                            0.0,
                            s.metric("pipeline_dead_letter_records_total").orElse(0),
                            s.module() + " dead-lettered nothing");
                }
            }
        }
    }

    private static void awaitSteps(ServiceProcess trainer, int steps) throws Exception {
        Eventually.await(
                "run " + RUN + " at step " + steps,
                Duration.ofMinutes(3),
                () -> trainer.metric("trainer_step", "run=\"" + RUN + "\"").orElse(0),
                step -> step >= steps,
                () -> trainer.tail(30));
    }
}
