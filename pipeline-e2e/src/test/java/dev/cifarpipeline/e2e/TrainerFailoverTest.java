package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.access.ApiAccess;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.EpochLineage;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged trainers in one group, two runs submitted: the group gives each trainer one run. Then the
 * trainer of the first run is killed with {@code kill -9} in the middle of its second epoch. Once the broker
 * stops hearing from it, the surviving trainer claims the run, restores its epoch-1 checkpoint from Kafka,
 * reads the stream on from that checkpoint's offsets and finishes it, while training its own run. Both final
 * models' lineages are exactly one pass per epoch: none twice, none missing.
 */
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class TrainerFailoverTest {
    private static final int EPOCHS = 2;
    private static final int BATCHES_PER_EPOCH = 25; // 800 images in batches of 32
    private static final String GROUP = "cifar-trainers";
    private static final String TOKEN = "failover-test-token";
    private static final Path LOGS = Path.of("target", "trainer-failover").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aKilledTrainersRunMovesToTheOtherTrainerAndResumesFromItsCheckpoint() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 800, 100, 4);
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig())) {
            String bootstrap = kafka.bootstrapServers();
            Map<String, String> trainerSettings = Map.of(
                    "kafka.bootstrap.servers",
                    bootstrap,
                    "trainer.log-every",
                    "5",
                    "trainer.claims.session-timeout",
                    "6s",
                    "trainer.claims.group",
                    GROUP,
                    ApiAccess.TOKEN_KEY,
                    TOKEN);
            try (ServiceProcess ingest = ServiceProcess.start(
                            "data-ingest-service",
                            "512m",
                            Map.of(
                                    "kafka.bootstrap.servers",
                                    bootstrap,
                                    "ingest.dataset-dir",
                                    dataset.toString(),
                                    "ingest.epochs",
                                    String.valueOf(EPOCHS),
                                    "ingest.batch-size",
                                    "32",
                                    "ingest.max-epochs-ahead",
                                    "5"),
                            LOGS.resolve("ingest"));
                    ServiceProcess first =
                            ServiceProcess.start("trainer-service", "1g", trainerSettings, LOGS.resolve("first"));
                    ServiceProcess second =
                            ServiceProcess.start("trainer-service", "1g", trainerSettings, LOGS.resolve("second"))) {
                for (ServiceProcess s : List.of(ingest, first, second)) {
                    s.awaitReady(Duration.ofSeconds(90));
                }
                awaitTwoTrainersOwningPartitions(admin, GROUP);
                var refused = first.post("/trainer/runs", spec("left"));
                assertEquals(401, refused.statusCode(), "a token is configured: " + refused.body());
                assertEquals(
                        401,
                        first.post("/trainer/runs", spec("left"), "Authorization", "Bearer wrong")
                                .statusCode());
                first.submitRun(spec("left"), "Authorization", "Bearer " + TOKEN);
                first.submitRun(spec("right"), "Authorization", "Bearer " + TOKEN);

                // The placement gave each trainer one run.
                String victim = awaitHostedRun(first);
                String survivor = awaitHostedRun(second);
                assertNotEquals(victim, survivor, "one run per trainer");

                awaitSteps(first, victim, BATCHES_PER_EPOCH + 6); // past the epoch-1 checkpoint, into epoch 2
                first.process().destroyForcibly();
                first.process().waitFor(10, TimeUnit.SECONDS);

                List<ConsumerRecord<String, byte[]>> events = kafka.readUntil(
                        Topics.TRAINING_EVENTS,
                        6 * 60_000,
                        read -> finished(read).size() >= 2 || !second.process().isAlive());
                assertEquals(2, finished(events).size(), "both runs finished:\n" + second.tail(40));
                String log = second.output();
                assertTrue(log.contains("claimed run " + victim), second.tail(40));
                assertTrue(
                        log.contains(
                                "run " + victim + " resumed at step " + BATCHES_PER_EPOCH + ", 1 epoch(s) complete"),
                        second.tail(40));
                TrainingEvent moved = events.stream()
                        .map(r -> TrainingEvent.fromJson(r.value()))
                        .filter(e -> e.runId().equals(victim) && e.type() == TrainingEvent.Type.CLAIMED && e.step() > 0)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no second CLAIMED event for " + victim));
                assertTrue(moved.message().contains("resuming at step " + BATCHES_PER_EPOCH), moved.message());
            }
            Map<String, CheckpointManifest> last = lastManifests(kafka);
            for (String run : List.of("left", "right")) {
                CheckpointManifest m = last.get(run);
                assertEquals(EPOCHS, m.epoch(), run);
                assertEquals(
                        (long) EPOCHS * BATCHES_PER_EPOCH,
                        m.step(),
                        run + ": one step per batch per epoch, none repeated");
                assertEquals(EPOCHS, m.lineage().size(), run);
                for (EpochLineage epoch : m.lineage()) {
                    // A batch redelivered around the move is skipped by the ledger and counted: delivery at least once,
                    // training exactly once.
                    assertEquals(BATCHES_PER_EPOCH, epoch.batchesTrained(), run + " " + epoch);
                    assertTrue(epoch.duplicateBatches() <= 8, "redeliveries are bounded by one poll: " + epoch);
                }
                System.out.println("lineage of run " + run + ": " + m.lineage());
            }
        }
    }

    private static String spec(String run) {
        return "{\"runId\":\"" + run + "\",\"epochs\":" + EPOCHS + ",\"maxLearningRate\":0.02}";
    }

    private static List<String> finished(List<ConsumerRecord<String, byte[]>> events) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : events) {
            TrainingEvent e = TrainingEvent.fromJson(r.value());
            if (e.type() == TrainingEvent.Type.FINISHED && !out.contains(e.runId())) {
                out.add(e.runId());
            }
        }
        return out;
    }

    /** Cooperative rebalancing gives a joining trainer its partitions in a second round: wait for it. */
    static void awaitTwoTrainersOwningPartitions(Admin admin, String group) throws Exception {
        Eventually.await(
                "two trainers owning run-spec partitions",
                Duration.ofSeconds(90),
                () -> admin.describeConsumerGroups(List.of(group)).all().get().get(group),
                g -> g.members().size() == 2
                        && g.members().stream()
                                .allMatch(m -> !m.assignment().topicPartitions().isEmpty()));
    }

    private static String awaitHostedRun(ServiceProcess trainer) throws Exception {
        Pattern runId = Pattern.compile("\"runId\":\"(\\w+)\"");
        Matcher m = runId.matcher(Eventually.await(
                "a run on the trainer",
                Duration.ofSeconds(60),
                () -> trainer.get("/trainer/runs").body(),
                body -> runId.matcher(body).find(),
                () -> trainer.tail(20)));
        m.find();
        return m.group(1);
    }

    private static void awaitSteps(ServiceProcess trainer, String run, int steps) throws Exception {
        Eventually.await(
                "run " + run + " at step " + steps,
                Duration.ofMinutes(3),
                () -> trainer.metric("trainer_step", "run=\"" + run + "\"").orElse(0),
                step -> step >= steps,
                () -> trainer.tail(30));
    }

    private static Map<String, CheckpointManifest> lastManifests(InProcessKafka kafka) {
        CheckpointAssembler assembler = new CheckpointAssembler(8, 1L << 30);
        Map<String, CheckpointManifest> last = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : kafka.readUntil(
                Topics.CHECKPOINTS,
                60_000,
                read -> read.stream().filter(x -> x.value()[3] == 'M').count() >= 2L * EPOCHS)) {
            assembler
                    .accept(CheckpointRecordCodec.decode(r.value()))
                    .ifPresent(
                            v -> last.merge(v.manifest().runId(), v.manifest(), (a, b) -> b.step() > a.step() ? b : a));
        }
        return last;
    }
}
