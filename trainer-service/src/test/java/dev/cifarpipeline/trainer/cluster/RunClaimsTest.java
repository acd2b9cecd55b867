package dev.cifarpipeline.trainer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.kafka.GroupMembership;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.trainer.run.ClaimCheck;
import dev.cifarpipeline.trainer.run.TrainerOutputs;
import dev.cifarpipeline.trainer.training.DivergencePolicy;
import dev.cifarpipeline.trainer.training.TrainingSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trainers' group on a real broker: specs reach the owner of their partition, a bad spec is rejected with
 * its reason, a second trainer takes over partitions (and their runs) only after the first let them go, and a
 * trainer leaving hands its runs back; asked, the group confirms a run to its owner only. No training here: the host
 * records what it is told.
 */
@Timeout(120)
class RunClaimsTest {
    private static final String TOPIC = "specs";

    /** Records claims and releases, and which runs it holds now. */
    static final class RecordingHost implements RunClaims.Host {
        final Map<String, Integer> holding = new ConcurrentHashMap<>();
        final List<String> journal = new CopyOnWriteArrayList<>();

        @Override
        public void claim(int partition, RunSpec spec, boolean terminal) {
            journal.add("claim " + spec.runId() + (terminal ? " (ended)" : ""));
            if (!terminal) {
                holding.put(spec.runId(), partition);
            }
        }

        @Override
        public void release(Collection<Integer> partitions, boolean checkpoint) {
            holding.entrySet().removeIf(e -> {
                boolean leaving = partitions.contains(e.getValue());
                if (leaving) {
                    journal.add("release " + e.getKey() + (checkpoint ? " with checkpoint" : " without"));
                }
                return leaving;
            });
        }
    }

    @Test
    void runsFollowTheirPartitionsFromTrainerToTrainer() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig());
                TrainerOutputs outputs =
                        new TrainerOutputs(kafka.clientConfig(), PipelineTopics.prefixed("claims-test."), "test")) {
            TopicSpec.ensure(admin, List.of(TopicSpec.runSpecs(TOPIC, 4)));
            for (int p = 0; p < 4; p++) {
                outputs.send(TOPIC, p, "run" + p, RunSpec.of("run" + p).toJson());
            }
            outputs.send(TOPIC, 1, "bad", "{\"runId\":\"bad\",\"model\":\"vgg12\"}".getBytes(StandardCharsets.UTF_8));
            outputs.send(TOPIC, 2, "done", RunSpec.of("done").toJson());

            List<String> rejected = new CopyOnWriteArrayList<>();
            RecordingHost firstHost = new RecordingHost();
            RecordingHost secondHost = new RecordingHost();
            try (RunClaims first = claims(kafka, "first", firstHost, rejected)) {
                first.start();
                await(
                        () -> firstHost.holding.size() == 4,
                        () -> "first trainer holds all four runs: " + firstHost.journal);
                assertEquals(
                        List.of(
                                "run spec specs-1@1: run spec bad: unknown model 'vgg12': expected one of vgg11, vgg13, vgg16, vgg19"),
                        rejected);
                assertTrue(firstHost.journal.contains("claim done (ended)"), firstHost.journal.toString());

                try (RunClaims second = claims(kafka, "second", secondHost, rejected)) {
                    second.start();
                    await(
                            () -> secondHost.holding.size() == 2 && firstHost.holding.size() == 2,
                            () -> "the runs split two and two: " + firstHost.journal + " / " + secondHost.journal);
                    Set<String> moved = new HashSet<>(secondHost.holding.keySet());
                    for (String run : moved) {
                        assertTrue(
                                firstHost.journal.indexOf("release " + run + " with checkpoint") >= 0,
                                run + " released by the first trainer, with a checkpoint: " + firstHost.journal);
                    }
                    assertTrue(moved.stream().noneMatch(firstHost.holding::containsKey), "never two owners");
                }
                // The second trainer left: its runs come back.
                await(
                        () -> firstHost.holding.size() == 4,
                        () -> "runs back on the first trainer: " + firstHost.journal);
                assertTrue(secondHost.holding.isEmpty(), secondHost.journal.toString());
            }
            assertTrue(firstHost.holding.isEmpty(), "closing releases everything: " + firstHost.journal);
            assertEquals(
                    1, rejected.size(), "a bad spec is dead-lettered once, not again by each later owner: " + rejected);
        }
    }

    @Test
    void theGroupConfirmsEachRunToItsOwnerOnlyAndToNobodyWhoLeft() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig());
                TrainerOutputs outputs =
                        new TrainerOutputs(kafka.clientConfig(), PipelineTopics.prefixed("claims-test."), "test")) {
            TopicSpec.ensure(admin, List.of(TopicSpec.runSpecs(TOPIC, 2)));
            for (int p = 0; p < 2; p++) {
                outputs.send(TOPIC, p, "run" + p, RunSpec.of("run" + p).toJson());
            }
            List<String> rejected = new CopyOnWriteArrayList<>();
            RecordingHost firstHost = new RecordingHost();
            RecordingHost secondHost = new RecordingHost();
            try (RunClaims first = claims(kafka, "first", firstHost, rejected)) {
                first.start();
                await(() -> firstHost.holding.size() == 2, () -> "first holds both: " + firstHost.journal);
                int secondsPartition;
                try (RunClaims second = claims(kafka, "second", secondHost, rejected)) {
                    second.start();
                    await(
                            () -> secondHost.holding.size() == 1 && firstHost.holding.size() == 1,
                            () -> "one run each: " + firstHost.journal + " / " + secondHost.journal);
                    int firstsPartition = firstHost.holding.values().iterator().next();
                    secondsPartition = secondHost.holding.values().iterator().next();
                    assertEquals(ClaimCheck.Answer.HELD, settled(first.owner(firstsPartition, admin)));
                    assertEquals(ClaimCheck.Answer.LOST, settled(first.owner(secondsPartition, admin)));
                    assertEquals(ClaimCheck.Answer.HELD, settled(second.owner(secondsPartition, admin)));
                    assertEquals(ClaimCheck.Answer.LOST, settled(second.owner(firstsPartition, admin)));
                    ClaimCheck leaver = second.owner(secondsPartition, admin);
                    second.close();
                    await(() -> firstHost.holding.size() == 2, () -> "both back on first: " + firstHost.journal);
                    assertEquals(ClaimCheck.Answer.LOST, settled(leaver), "a trainer that left holds nothing");
                }
                assertEquals(ClaimCheck.Answer.HELD, settled(first.owner(secondsPartition, admin)));
            }
        }
    }

    /** The group's answer once it is stable. */
    private static ClaimCheck.Answer settled(ClaimCheck check) throws InterruptedException {
        return Eventually.await(
                "a settled answer",
                Duration.ofSeconds(30),
                check::ask,
                a -> a != ClaimCheck.Answer.UNSETTLED,
                () -> "the group kept rebalancing");
    }

    private static RunClaims claims(InProcessKafka kafka, String name, RecordingHost host, List<String> rejected) {
        TrainingSettings.resolve(RunSpec.of("probe"), 100, DivergencePolicy.DEFAULT);
        return new RunClaims(
                kafka.clientConfig(),
                TOPIC,
                new GroupMembership("trainers", name + "-claims", Duration.ofSeconds(6), true),
                name,
                host,
                (r, reason) ->
                        rejected.add("run spec " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + reason),
                () -> Set.of("done"),
                spec -> TrainingSettings.resolve(spec, 100, DivergencePolicy.DEFAULT),
                s -> {});
    }

    private static void await(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        Eventually.await(
                "the condition", Duration.ofSeconds(60), condition::getAsBoolean, Boolean::booleanValue, message);
    }
}
