package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.checkpoint.CheckpointChunk;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecord;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.kafka.ClaimHeaders;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.testsupport.TopicReads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One run, two packaged trainers, and the faults that used to give a run two owners, on a real broker:
 * <ol>
 *   <li>six clients submit the same run id at once, three to each trainer: exactly one is accepted;
 *   <li>the trainer training it is paused ({@code SIGSTOP}) past its session timeout, so the other takes the run
 *       over, then resumed ({@code SIGCONT}): it must not publish for the run again;
 *   <li>the run's new owner is killed ({@code kill -9}) in the middle of publishing a checkpoint: its chunks must
 *       never be seen, and the first trainer takes the run back and finishes it.
 * </ol>
 * The topics are the judge: every batch trained once per epoch and every checkpoint scored once; no chunk of a
 * checkpoint without its manifest among committed records; and each claim's records ({@link ClaimHeaders}) form
 * one unbroken stretch of each topic: once another trainer wrote for the run, an earlier owner never does again.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TrainerFencingTest {
    private static final String RUN = "fenced";
    private static final int EPOCHS = 3;
    private static final int BATCHES_PER_EPOCH = 25; // 800 images in batches of 32
    private static final Path LOGS = Path.of("target", "trainer-fencing").toAbsolutePath();

    @Test
    void aPausedTrainerIsFencedAHalfPublishedCheckpointIsNeverSeenAndOneSubmissionWins(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path dataset = dir.resolve("dataset");
        SyntheticCifar.write(dataset, 800, 200, 8);
        try (InProcessKafka kafka = new InProcessKafka()) {
            String bootstrap = kafka.bootstrapServers();
            String[] trainerSettings = {
                "trainer.log-every", "5",
                "trainer.claims.session-timeout", "6s",
                // small chunks: a checkpoint's publication takes long enough to be interrupted in the middle
                "trainer.checkpoint-chunk-bytes", "16384"
            };
            try (ServiceProcess ingest = ServiceProcess.ingest(
                            bootstrap, dataset, EPOCHS, LOGS.resolve("ingest"), "ingest.max-epochs-ahead", "5");
                    ServiceProcess first = ServiceProcess.trainer(bootstrap, LOGS.resolve("first"), trainerSettings);
                    ServiceProcess second = ServiceProcess.trainer(bootstrap, LOGS.resolve("second"), trainerSettings);
                    ServiceProcess evaluator = ServiceProcess.evaluator(bootstrap, LOGS.resolve("evaluator"))) {
                ServiceProcess.awaitAllReady(List.of(ingest, first, second, evaluator));
                try (var admin = org.apache.kafka.clients.admin.Admin.create(kafka.clientConfig())) {
                    TrainerFailoverTest.awaitTwoTrainersOwningPartitions(admin, "cifar-trainers");
                }

                // 1. Six submissions of one run id at once: one wins.
                List<Integer> codes = submitAtOnce(List.of(first, second), 6);
                assertEquals(1, codes.stream().filter(c -> c == 201).count(), "one submission accepted: " + codes);
                assertEquals(5, codes.stream().filter(c -> c == 409).count(), "the others refused: " + codes);

                // 2. Pause the run's trainer past its session timeout, once a checkpoint of its is committed (so the
                // run's record shows it as an owner however fast it trains); the other takes the run over.
                ServiceProcess holder = awaitHolder(List.of(first, second), 12);
                ServiceProcess other = holder == first ? second : first;
                TopicReads.readUntil(
                        kafka.clientConfig(),
                        Topics.CHECKPOINTS,
                        Duration.ofSeconds(60),
                        read -> read.stream()
                                .anyMatch(r -> RUN.equals(r.key())
                                        && CheckpointRecordCodec.decode(r.value()) instanceof CheckpointManifest));
                signal(holder, "STOP");
                try {
                    Eventually.await(
                            "the other trainer taking the run over",
                            Duration.ofSeconds(60),
                            () -> other.get("/trainer/runs").body(),
                            body -> body.contains("\"runId\":\"" + RUN + "\"") && body.contains("\"TRAINING\""),
                            () -> other.tail(20));
                    Thread.sleep(3_000); // the new owner trains on while the old one is still paused
                } finally {
                    signal(holder, "CONT");
                }

                // 3. Kill the new owner while a checkpoint of its is half published.
                String killedTrainer = trainerId(other);
                String interrupted = killMidPublication(kafka, other, killedTrainer);

                RunAudit audit = new RunAudit(Map.of("bootstrap.servers", bootstrap));
                assertTrue(
                        audit.awaitFinished(
                                List.of(RUN),
                                Duration.ofMinutes(5),
                                () -> !holder.process().isAlive()),
                        "the first trainer took the run back and finished it:\n" + holder.tail(40));
                audit.assertTrainedOnceAndScoredOnce(RUN, EPOCHS, BATCHES_PER_EPOCH);

                List<ConsumerRecord<String, byte[]>> checkpoints = TopicReads.readUntilThenDrain(
                        kafka.clientConfig(), Topics.CHECKPOINTS, Duration.ofMinutes(3), r -> !r.isEmpty());
                Set<String> chunked = new HashSet<>();
                Set<String> manifested = new HashSet<>();
                for (ConsumerRecord<String, byte[]> r : checkpoints) {
                    CheckpointRecord record = CheckpointRecordCodec.decode(r.value());
                    (record instanceof CheckpointManifest ? manifested : chunked).add(record.checkpointId());
                }
                assertFalse(chunked.contains(interrupted), "no chunk of the checkpoint interrupted by the kill");
                assertEquals(manifested, chunked, "every committed chunk belongs to a committed checkpoint");
                assertOneOwnerAtATime(checkpoints, "checkpoints");
                List<ConsumerRecord<String, byte[]>> events = TopicReads.readUntilThenDrain(
                        kafka.clientConfig(), Topics.TRAINING_EVENTS, Duration.ofSeconds(60), r -> !r.isEmpty());
                assertOneOwnerAtATime(events, "training events");
                assertEquals(
                        1,
                        events.stream()
                                .map(r -> TrainingEvent.fromJson(r.value()))
                                .filter(e -> e.runId().equals(RUN) && e.type() == TrainingEvent.Type.FINISHED)
                                .count(),
                        "FINISHED once");
                String pausedLog = holder.output();
                assertTrue(
                        pausedLog.contains("LOST run-spec partitions") || pausedLog.contains("another trainer"),
                        "the paused trainer learnt it no longer owned the run (its claims were lost, or its writes "
                                + "fenced):\n" + holder.tail(40));
                assertEquals(
                        0.0,
                        evaluator.metric("pipeline_dead_letter_records_total").orElse(0),
                        "the evaluator dead-lettered nothing:\n" + evaluator.tail(30));
            }
        }
    }

    private static List<Integer> submitAtOnce(List<ServiceProcess> trainers, int clients) throws Exception {
        String spec = "{\"runId\":\"" + RUN + "\",\"epochs\":" + EPOCHS
                + ",\"maxLearningRate\":0.02,\"checkpointEverySteps\":10}";
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                ServiceEndpoint endpoint = trainers.get(i % trainers.size()).endpoint();
                calls.add(() ->
                        endpoint.post("/trainer/runs", spec, endpoint.bearer()).statusCode());
            }
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                codes.add(f.get());
            }
            return codes;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The trainer whose run is past {@code steps}. */
    private static ServiceProcess awaitHolder(List<ServiceProcess> trainers, int steps) throws Exception {
        return Eventually.await(
                "run " + RUN + " at step " + steps,
                Duration.ofMinutes(3),
                () -> {
                    for (ServiceProcess t : trainers) {
                        if (t.metric("trainer_step", "run=\"" + RUN + "\"").orElse(0) >= steps) {
                            return t;
                        }
                    }
                    return null;
                },
                t -> t != null,
                () -> trainers.get(0).tail(20) + "\n" + trainers.get(1).tail(20));
    }

    private static String trainerId(ServiceProcess trainer) throws Exception {
        Matcher m = Pattern.compile("\"trainer\":\"([^\"]+)\"")
                .matcher(trainer.get("/trainer/runs").body());
        assertTrue(m.find());
        return m.group(1);
    }

    /**
     * Watches the checkpoints topic as an uncommitted reader sees it and kills {@code trainer} as soon as a
     * checkpoint of its has chunks out and no manifest yet; the id of that checkpoint.
     */
    private static String killMidPublication(InProcessKafka kafka, ServiceProcess trainer, String trainerId)
            throws Exception {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put("isolation.level", "read_uncommitted");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(Topics.CHECKPOINTS)
                    .forEach(p -> partitions.add(new TopicPartition(Topics.CHECKPOINTS, p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    Header writer = r.headers().lastHeader(ClaimHeaders.TRAINER);
                    if (!RUN.equals(r.key())
                            || writer == null
                            || !trainerId.equals(new String(writer.value(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    if (CheckpointRecordCodec.decode(r.value()) instanceof CheckpointChunk c && c.chunkIndex() >= 1) {
                        trainer.process().destroyForcibly();
                        trainer.process().waitFor(10, TimeUnit.SECONDS);
                        return c.checkpointId();
                    }
                }
            }
            throw new AssertionError("the run's new owner published no checkpoint:\n" + trainer.tail(30));
        }
    }

    /** Each claim's records of the run form one unbroken stretch: once another claim wrote, it never writes again. */
    private static void assertOneOwnerAtATime(List<ConsumerRecord<String, byte[]>> records, String topic) {
        List<String> stretches = new ArrayList<>();
        List<String> written = new ArrayList<>(); // what a failure shows: who wrote what, in the topic's order
        for (ConsumerRecord<String, byte[]> r : records) {
            if (!RUN.equals(r.key())) {
                continue;
            }
            String claim = ClaimHeaders.claim(r.headers()).orElse("none");
            Header writer = r.headers().lastHeader(ClaimHeaders.TRAINER);
            written.add(r.partition() + "@" + r.offset() + " "
                    + (writer == null ? "?" : new String(writer.value(), StandardCharsets.UTF_8)) + "/"
                    + claim.substring(0, Math.min(8, claim.length())));
            if (stretches.isEmpty() || !stretches.get(stretches.size() - 1).equals(claim)) {
                assertFalse(
                        stretches.contains(claim),
                        topic + ": claim " + claim + " wrote again after another owner had: " + stretches + "\n"
                                + written);
                stretches.add(claim);
            }
        }
        assertTrue(stretches.size() >= 2, topic + ": the run moved between trainers: " + stretches + "\n" + written);
    }

    private static void signal(ServiceProcess service, String signal) throws Exception {
        Process kill = new ProcessBuilder(
                        "kill", "-" + signal, String.valueOf(service.process().pid()))
                .inheritIO()
                .start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }
}
