package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.access.ApiAccess;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /trainer/runs/{id}/stop} on a trainer with an API token: refused without the token, accepted with
 * it; the trainer checkpoints the run where it is, publishes STOPPED and holds it no longer. Asking again is
 * harmless until it has ended, then refused with 409; an unknown run is a 404.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunStopTest {
    private static final String TOKEN = "stop-test-token";
    private static final String RUN = "halted";
    private static final Path LOGS = Path.of("target", "run-stop").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aStoppedRunIsCheckpointedWhereItIsAndEndsStopped() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 640, 100, 9);
        try (InProcessKafka kafka = new InProcessKafka()) {
            String bootstrap = kafka.bootstrapServers();
            try (ServiceProcess ingest = ServiceProcess.start(
                            "data-ingest-service",
                            "512m",
                            Map.of(
                                    "kafka.bootstrap.servers",
                                    bootstrap,
                                    "ingest.dataset-dir",
                                    dataset.toString(),
                                    "ingest.epochs",
                                    "3",
                                    "ingest.batch-size",
                                    "32"),
                            LOGS.resolve("ingest"));
                    ServiceProcess trainer = ServiceProcess.start(
                            "trainer-service",
                            "1g",
                            Map.of(
                                    "kafka.bootstrap.servers",
                                    bootstrap,
                                    "trainer.log-every",
                                    "5",
                                    ApiAccess.TOKEN_KEY,
                                    TOKEN),
                            LOGS.resolve("trainer"))) {
                ingest.awaitReady(Duration.ofSeconds(120));
                trainer.awaitReady(Duration.ofSeconds(120));
                String auth = "Bearer " + TOKEN;
                trainer.submitRun(
                        "{\"runId\":\"" + RUN + "\",\"epochs\":3,\"maxLearningRate\":0.02}", "Authorization", auth);
                Eventually.await(
                        "run " + RUN + " at step 6",
                        Duration.ofMinutes(2),
                        () -> trainer.metric("trainer_step", "run=\"" + RUN + "\"")
                                .orElse(0),
                        step -> step >= 6,
                        () -> trainer.tail(30));

                assertEquals(
                        401, trainer.post("/trainer/runs/" + RUN + "/stop", "").statusCode(), "a token is configured");
                assertEquals(
                        401,
                        trainer.post("/trainer/runs/" + RUN + "/stop", "", "Authorization", "Bearer wrong")
                                .statusCode());
                var unknown = trainer.post("/trainer/runs/nosuchrun/stop", "", "Authorization", auth);
                assertEquals(404, unknown.statusCode(), unknown.body());
                var accepted = trainer.post("/trainer/runs/" + RUN + "/stop", "", "Authorization", auth);
                assertEquals(202, accepted.statusCode(), accepted.body());
                assertTrue(accepted.body().contains("\"alreadyRequested\":false"), accepted.body());

                List<ConsumerRecord<String, byte[]>> events =
                        kafka.readUntil(Topics.TRAINING_EVENTS, 120_000, read -> stopped(read) != null);
                TrainingEvent stopped = stopped(events);
                assertTrue(stopped != null, "STOPPED published:\n" + trainer.tail(30));
                // A stop that lands just after an epoch's checkpoint has nothing new to write: that checkpoint holds
                // the run.
                assertTrue(
                        stopped.message().contains("stopped on request")
                                && (stopped.message().contains("after checkpoint")
                                        || stopped.message().contains("nothing new to checkpoint")),
                        stopped.message());
                assertTrue(
                        stopped.step() >= 6 && stopped.step() < 3 * 20,
                        "stopped in the middle, at step " + stopped.step());
                assertTrue(
                        events.stream()
                                .map(r -> TrainingEvent.fromJson(r.value()))
                                .noneMatch(e -> e.runId().equals(RUN) && e.type() == TrainingEvent.Type.FINISHED),
                        "it did not run on to the end");

                CheckpointManifest last = lastManifest(kafka, stopped.step());
                assertEquals(stopped.step(), last.step(), "the stop checkpoint holds the run where it stopped");
                String runs = trainer.get("/trainer/runs").body();
                assertTrue(runs.contains("\"state\":\"STOPPED\""), runs);
                var again = trainer.post("/trainer/runs/" + RUN + "/stop", "", "Authorization", auth);
                assertEquals(409, again.statusCode(), "an ended run cannot be stopped: " + again.body());
                assertEquals(
                        0.0,
                        trainer.metric("pipeline_dead_letter_records_total").orElse(0));
            }
        }
    }

    private static TrainingEvent stopped(List<ConsumerRecord<String, byte[]>> events) {
        return events.stream()
                .map(r -> TrainingEvent.fromJson(r.value()))
                .filter(e -> e.runId().equals(RUN) && e.type() == TrainingEvent.Type.STOPPED)
                .findFirst()
                .orElse(null);
    }

    /**
     * The run's last checkpoint, read until one at {@code stoppedAt} or later has come (or 30 s): the epoch's checkpoint
     * before the stop's own may be all one poll brings.
     */
    private static CheckpointManifest lastManifest(InProcessKafka kafka, long stoppedAt) {
        CheckpointAssembler assembler = new CheckpointAssembler(8, 1L << 30);
        List<CheckpointManifest> manifests = new ArrayList<>();
        int[] assembled = {0}; // the predicate sees the whole read so far each time: feed the assembler only the new
        kafka.readUntil(Topics.CHECKPOINTS, 30_000, read -> {
            for (ConsumerRecord<String, byte[]> r : read.subList(assembled[0], read.size())) {
                assembler.accept(CheckpointRecordCodec.decode(r.value())).ifPresent(v -> manifests.add(v.manifest()));
            }
            assembled[0] = read.size();
            return manifests.stream().anyMatch(m -> m.runId().equals(RUN) && m.step() >= stoppedAt);
        });
        return manifests.stream()
                .filter(m -> m.runId().equals(RUN))
                .reduce((a, b) -> b.step() > a.step() ? b : a)
                .orElseThrow();
    }
}
