package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.testsupport.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away in the middle of a run for longer than every client timeout, and comes back: a real broker
 * process ({@code bin/kafka-broker}) is stopped while the trainer is in its first epoch and ingest is still
 * publishing, and started again on the same port and data {@link #OUTAGE} later. The services' client timeouts
 * are cut to at most {@link #LONGEST_CLIENT_TIMEOUT} here (request 5 s, API calls and blocking sends 10 s,
 * delivery 15 s), so the outage outlasts each of them three times over: every send, commit and read in flight
 * fails, as it would after 150 s with the default timeouts. The three packaged services ride it out without a
 * restart of their own: the run finishes with every batch trained exactly once per epoch, every checkpoint is
 * scored exactly once, the stream holds every batch of both epochs once, and nothing was dead-lettered.
 */
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class BrokerOutageTest {
    private static final Path LOGS = Path.of("target", "broker-outage").toAbsolutePath();
    private static final int EPOCHS = 2;
    private static final int BATCHES_PER_EPOCH = 25; // 800 images in batches of 32
    private static final String RUN = "steady";
    private static final Duration LONGEST_CLIENT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration OUTAGE = LONGEST_CLIENT_TIMEOUT.multipliedBy(3);
    /** Client timeouts for every service (kafka.* keys reach each service's clients). */
    private static final String[] SHORT_TIMEOUTS = {
        "kafka.request.timeout.ms", "5000",
        "kafka.default.api.timeout.ms", "10000",
        "kafka.max.block.ms", "10000",
        "kafka.delivery.timeout.ms", String.valueOf(LONGEST_CLIENT_TIMEOUT.toMillis())
    };

    @TempDir
    Path dir;

    @Test
    void aRunOutlivesTheBrokerGoneLongerThanEveryClientTimeout() throws Exception {
        Path brokerDir = dir.resolve("kafka");
        int port = ServiceProcess.freeBrokerPort();
        String bootstrap = "localhost:" + port;
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
        try (BrokerProcess broker = BrokerProcess.start(brokerDir, port)) {
            Path dataset = dir.resolve("dataset");
            SyntheticCifar.write(dataset, 800, 100, 5);
            try (ServiceProcess ingest = ServiceProcess.ingest(
                            bootstrap, dataset, EPOCHS, LOGS.resolve("ingest"), with("ingest.max-epochs-ahead", "0"));
                    ServiceProcess trainer = ServiceProcess.trainer(
                            bootstrap,
                            LOGS.resolve("trainer"),
                            // fetches of 8 MiB: the run holds the rest of its epoch's batches when the broker goes
                            with("trainer.log-every", "5", "kafka.max.partition.fetch.bytes", "8388608"));
                    ServiceProcess evaluator = ServiceProcess.evaluator(bootstrap, LOGS.resolve("evaluator"), with())) {
                ServiceProcess.awaitAllReady(List.of(ingest, trainer, evaluator));
                trainer.submitRun("{\"runId\":\"" + RUN + "\",\"epochs\":" + EPOCHS + ",\"maxLearningRate\":0.02}");
                // Five steps before the epoch's end, its batches already fetched: the trainer takes the epoch's
                // checkpoint while the broker is away, and its publication has to wait the outage out.
                awaitSteps(trainer, BATCHES_PER_EPOCH - 5);

                broker.stop();
                Thread.sleep(OUTAGE.toMillis());
                for (ServiceProcess s : List.of(ingest, trainer, evaluator)) {
                    assertTrue(s.process().isAlive(), s.module() + " survived the broker's absence:\n" + s.tail(30));
                }
                broker.startAgain();

                RunAudit audit = new RunAudit(client);
                Eventually.await(
                        "the trainer's publication waiting out the outage",
                        Duration.ofMinutes(2),
                        () -> trainer.output(),
                        log -> log.contains("publishing it again") || log.contains("asking again"),
                        () -> trainer.tail(30));
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

    private static String[] with(String... more) {
        String[] out = Arrays.copyOf(SHORT_TIMEOUTS, SHORT_TIMEOUTS.length + more.length);
        System.arraycopy(more, 0, out, SHORT_TIMEOUTS.length, more.length);
        return out;
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
