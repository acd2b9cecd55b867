package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.testsupport.TopicReads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /trainer/sweeps} against two packaged trainers on a real broker: a 2×2 grid becomes four runs of the
 * sweep, each spec on the topic with the sweep's id and its point's values; they spread over both trainers and all
 * finish. The same sweep again is a conflict, a sweep beyond the run limit or naming an unknown key is refused, and
 * a second sweep is stopped as a whole: each of its runs ends STOPPED.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SweepSubmissionTest {
    private static final Path LOGS = Path.of("target", "sweep-submission").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aSweepsRunsSpreadOverTheTrainersAndFinishAndASweepStopsAsAWhole() throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 256, 64, 5); // 8 batches of 32 an epoch
        try (InProcessKafka kafka = new InProcessKafka()) {
            String bootstrap = kafka.bootstrapServers();
            try (ServiceProcess ingest = ServiceProcess.ingest(bootstrap, dataset, 3, LOGS.resolve("ingest"));
                    ServiceProcess first = ServiceProcess.trainer(bootstrap, LOGS.resolve("first"));
                    ServiceProcess second = ServiceProcess.trainer(bootstrap, LOGS.resolve("second"))) {
                ServiceProcess.awaitAllReady(List.of(ingest, first, second));
                try (var admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientConfig())) {
                    TrainerFailoverTest.awaitTwoTrainersOwningPartitions(admin, "cifar-trainers");
                }
                String sweep = "{\"sweepId\":\"grid\",\"base\":{\"epochs\":1},"
                        + "\"grid\":{\"maxLearningRate\":[0.01,0.05],\"weightDecay\":[0,0.005]}}";
                var created =
                        first.post("/trainer/sweeps", sweep, first.endpoint().bearer());
                assertEquals(201, created.statusCode(), created.body());
                assertTrue(
                        created.body().contains("\"values\":{\"maxLearningRate\":0.05,\"weightDecay\":0.005}"),
                        created.body());
                var again =
                        second.post("/trainer/sweeps", sweep, second.endpoint().bearer());
                assertEquals(409, again.statusCode(), "the sweep exists: " + again.body());
                var unknown = first.post(
                        "/trainer/sweeps",
                        "{\"sweepId\":\"typo\",\"grid\":{\"maxLearingRate\":[0.1]}}",
                        first.endpoint().bearer());
                assertEquals(400, unknown.statusCode());
                assertTrue(unknown.body().contains("unknown run-spec key 'maxLearingRate'"), unknown.body());
                String tooMany = IntStream.rangeClosed(1, 65)
                        .mapToObj(i -> Double.toString(i / 1000.0))
                        .collect(
                                Collectors.joining(",", "{\"sweepId\":\"big\",\"grid\":{\"maxLearningRate\":[", "]}}"));
                var refused =
                        first.post("/trainer/sweeps", tooMany, first.endpoint().bearer());
                assertEquals(400, refused.statusCode());
                assertTrue(refused.body().contains("trainer.limits.max-sweep-runs"), refused.body());

                var ownRun = first.post(
                        "/trainer/runs",
                        "{\"runId\":\"taken-1\",\"epochs\":1}",
                        first.endpoint().bearer());
                assertEquals(201, ownRun.statusCode(), ownRun.body());
                var adopting = first.post(
                        "/trainer/sweeps",
                        "{\"sweepId\":\"taken\",\"base\":{\"epochs\":1},\"grid\":{\"seed\":[1,2]}}",
                        first.endpoint().bearer());
                assertEquals(409, adopting.statusCode(), "a sweep never adopts a run of another: " + adopting.body());
                var posing = first.post(
                        "/trainer/runs",
                        "{\"runId\":\"posing\",\"sweep\":\"grid\"}",
                        first.endpoint().bearer());
                assertEquals(400, posing.statusCode(), "a run does not join a sweep by itself: " + posing.body());

                List<String> runs = List.of("grid-1", "grid-2", "grid-3", "grid-4");
                RunAudit audit = new RunAudit(Map.of("bootstrap.servers", bootstrap));
                assertTrue(
                        audit.awaitFinished(
                                List.of("grid-1", "grid-2", "grid-3", "grid-4", "taken-1"),
                                Duration.ofMinutes(4),
                                () -> false),
                        "the sweep's four runs finished:\n" + first.tail(20) + "\n" + second.tail(20));
                Map<String, RunSpec> specs = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : TopicReads.readUntil(
                        kafka.clientConfig(), Topics.RUN_SPECS, Duration.ofSeconds(30), read -> read.size() >= 4)) {
                    RunSpec spec = RunSpec.fromJson(r.value());
                    specs.put(spec.runId(), spec);
                }
                assertEquals("grid", specs.get("grid-3").sweep());
                assertEquals(0.05, specs.get("grid-3").maxLearningRate());
                assertEquals(0.0, specs.get("grid-3").weightDecay());
                assertEquals(1, specs.get("grid-4").epochs(), "the base's values");
                String firstLog = first.output();
                String secondLog = second.output();
                assertTrue(
                        firstLog.contains("claimed run grid-") && secondLog.contains("claimed run grid-"),
                        "the runs spread over both trainers");

                var long_ = first.post(
                        "/trainer/sweeps",
                        "{\"sweepId\":\"long\",\"base\":{\"epochs\":3},\"grid\":{\"seed\":[1,2]}}",
                        first.endpoint().bearer());
                assertEquals(201, long_.statusCode(), long_.body());
                var stop = second.post(
                        "/trainer/sweeps/long/stop", "", second.endpoint().bearer());
                assertEquals(202, stop.statusCode(), stop.body());
                assertTrue(stop.body().contains("long-1") && stop.body().contains("long-2"), stop.body());
                assertEquals(
                        404,
                        first.post(
                                        "/trainer/sweeps/nosuch/stop",
                                        "",
                                        first.endpoint().bearer())
                                .statusCode());
                assertEquals(401, first.post("/trainer/sweeps/long/stop", "").statusCode(), "the token is required");
                List<ConsumerRecord<String, byte[]>> events = TopicReads.readUntil(
                        kafka.clientConfig(),
                        Topics.TRAINING_EVENTS,
                        Duration.ofMinutes(2),
                        read -> ended(read, "long-1") == TrainingEvent.Type.STOPPED
                                && ended(read, "long-2") == TrainingEvent.Type.STOPPED);
                assertEquals(TrainingEvent.Type.STOPPED, ended(events, "long-1"), first.tail(20));
                assertEquals(TrainingEvent.Type.STOPPED, ended(events, "long-2"), second.tail(20));
            }
        }
    }

    private static TrainingEvent.Type ended(List<ConsumerRecord<String, byte[]>> events, String run) {
        TrainingEvent.Type last = null;
        for (ConsumerRecord<String, byte[]> r : events) {
            TrainingEvent e = TrainingEvent.fromJson(r.value());
            if (e.runId().equals(run) && e.terminal()) {
                last = e.type();
            }
        }
        return last;
    }
}
