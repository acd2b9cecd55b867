package dev.cifarpipeline.evaluator.results;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.evaluator.TestResults;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The result log is how an evaluator taking over checkpoints learns which were scored already, so it must
 * neither die quietly nor leave {@link ResultLog#catchUp} waiting on a log that has stopped.
 */
@Timeout(120)
class ResultLogTest {
    @Test
    void aLogStartedBeforeItsTopicExistsWaitsForItAndCatchesUp() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig())) {
            ResultBook book = new ResultBook();
            try (ResultLog log = new ResultLog(kafka.clientConfig(), "late-results", book, r -> {}, s -> {})) {
                log.start();
                Thread.sleep(1_500); // the log asks for its topic before anyone created it
                TopicSpec.ensure(admin, List.of(TopicSpec.events("late-results", 3)));
                kafka.produce("late-results", "run-a", result("run-a", "a-1").toJson());
                log.catchUp(Duration.ofSeconds(60));
                assertTrue(book.contains("a-1"), "the result published after the topic appeared is in the book");
                assertTrue(log.alive());
            }
        }
    }

    @Test
    void catchUpFailsAtOnceNamingTheTopicWhenTheLogHasStopped() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig())) {
            try (ResultLog log = new ResultLog(
                    kafka.clientConfig(),
                    "missing-results",
                    new ResultBook(),
                    r -> {},
                    s -> {},
                    Duration.ofSeconds(1))) {
                log.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (log.alive() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertFalse(log.alive(), "the log gave up on a topic that never appeared");
                TopicSpec.ensure(
                        admin, List.of(TopicSpec.events("missing-results", 1))); // too late for the stopped log
                // a wait of ten minutes, inside a test allowed two: it must fail at once, not when the wait runs out
                IllegalStateException e =
                        assertThrows(IllegalStateException.class, () -> log.catchUp(Duration.ofMinutes(10)));
                assertTrue(e.getMessage().contains("missing-results"), e.getMessage());
            }
        }
    }

    private static EvaluationResult result(String run, String checkpoint) {
        return TestResults.of(run, null, checkpoint, 0.5);
    }
}
