package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.testsupport.TopicReads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What used to make the packaged evaluator drop checkpoints, on a real broker, with the results topic as the
 * judge. Six checkpoints arrive with their chunks interleaved (each straddles the others) on an evaluator that
 * reassembles four at a time, before any test set exists and for longer than its test-set timeout (3 s here);
 * then the test set comes. Afterwards two more arrive half-way, the evaluator is killed ({@code kill -9}) while
 * it holds their halves, and a new evaluator reads the rest. Every checkpoint is scored exactly once and nothing
 * is dead-lettered (before, the two oldest were evicted and dead-lettered as "none of its chunks", and all six
 * were dead-lettered for want of a test set).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class EvaluatorBacklogTest {
    private static final String RUN = "backlog";
    private static final Path LOGS = Path.of("target", "evaluator-backlog").toAbsolutePath();

    @Test
    void interleavedCheckpointsBeyondTheReassemblyLimitALateTestSetAndAKillMidReassemblyLoseNothing() throws Exception {
        List<TestCheckpoint> checkpoints = new ArrayList<>();
        for (int epoch = 1; epoch <= 8; epoch++) {
            checkpoints.add(TestCheckpoint.of(RUN, epoch));
        }
        try (InProcessKafka kafka = new InProcessKafka()) {
            Map<String, String> settings = Map.of(
                    "kafka.bootstrap.servers",
                    kafka.bootstrapServers(),
                    "evaluator.session-timeout",
                    "6s",
                    "evaluator.test-set-timeout",
                    "3s",
                    "evaluator.max-pending-checkpoints",
                    "4");
            List<TestCheckpoint> first = checkpoints.subList(0, 6);
            List<TestCheckpoint> last = checkpoints.subList(6, 8);
            try (ServiceProcess evaluator =
                    ServiceProcess.start("evaluator-service", "1g", settings, LOGS.resolve("first"))) {
                evaluator.awaitReady(Duration.ofSeconds(90));
                kafka.produceAll(Topics.CHECKPOINTS, RUN, interleaved(first));
                kafka.produceAll(Topics.CHECKPOINTS, RUN, manifests(first));
                Thread.sleep(10_000); // past the test-set timeout, three times over
                assertTrue(evaluator.process().isAlive(), evaluator.tail(30));
                assertEquals(
                        0,
                        TopicReads.endOffsets(kafka.clientConfig(), Topics.DEAD_LETTER),
                        "nothing dead-lettered while the test set is missing:\n" + evaluator.tail(30));
                EvaluatorCrashRecoveryTest.publishTestSet(kafka, 500);
                awaitScored(kafka, ids(first), evaluator);

                // The last two: half their chunks, read by this evaluator, which is then killed.
                List<byte[]> halves = interleaved(last);
                kafka.produceAll(Topics.CHECKPOINTS, RUN, halves.subList(0, halves.size() / 2));
                Thread.sleep(4_000);
                evaluator.process().destroyForcibly();
                evaluator.process().waitFor(10, TimeUnit.SECONDS);
                kafka.produceAll(Topics.CHECKPOINTS, RUN, halves.subList(halves.size() / 2, halves.size()));
                kafka.produceAll(Topics.CHECKPOINTS, RUN, manifests(last));
            }
            try (ServiceProcess successor =
                    ServiceProcess.start("evaluator-service", "1g", settings, LOGS.resolve("second"))) {
                successor.awaitReady(Duration.ofSeconds(90));
                awaitScored(kafka, ids(checkpoints), successor);
                List<String> scored = new ArrayList<>();
                TopicReads.readUntilThenDrain(
                                kafka.clientConfig(),
                                Topics.EVALUATION_RESULTS,
                                Duration.ofSeconds(60),
                                r -> !r.isEmpty())
                        .forEach(r -> RunAudit.result(r).ifPresent(x -> scored.add(x.checkpointId())));
                assertEquals(ids(checkpoints), new HashSet<>(scored), "every checkpoint scored");
                assertEquals(checkpoints.size(), scored.size(), "and each once: " + scored);
                assertEquals(
                        0,
                        TopicReads.endOffsets(kafka.clientConfig(), Topics.DEAD_LETTER),
                        "nothing dead-lettered:\n" + successor.tail(30));
            }
        }
    }

    /** Chunk 0 of each, then chunk 1 of each, and so on: every checkpoint straddles every other. */
    private static List<byte[]> interleaved(List<TestCheckpoint> checkpoints) {
        List<byte[]> out = new ArrayList<>();
        int most = checkpoints.stream().mapToInt(c -> c.chunks().size()).max().orElse(0);
        for (int i = 0; i < most; i++) {
            for (TestCheckpoint c : checkpoints) {
                if (i < c.chunks().size()) {
                    out.add(c.chunks().get(i));
                }
            }
        }
        return out;
    }

    private static List<byte[]> manifests(List<TestCheckpoint> checkpoints) {
        return checkpoints.stream().map(TestCheckpoint::manifest).toList();
    }

    private static Set<String> ids(List<TestCheckpoint> checkpoints) {
        Set<String> out = new HashSet<>();
        checkpoints.forEach(c -> out.add(c.id()));
        return out;
    }

    private static void awaitScored(InProcessKafka kafka, Set<String> ids, ServiceProcess evaluator) {
        Set<String> seen = new HashSet<>();
        TopicReads.readUntil(kafka.clientConfig(), Topics.EVALUATION_RESULTS, Duration.ofMinutes(4), read -> {
                    read.forEach(r -> RunAudit.result(r).ifPresent(x -> seen.add(x.checkpointId())));
                    return seen.containsAll(ids) || !evaluator.process().isAlive();
                })
                .size();
        assertTrue(seen.containsAll(ids), "scored " + seen + " of " + ids + ":\n" + evaluator.tail(40));
    }
}
