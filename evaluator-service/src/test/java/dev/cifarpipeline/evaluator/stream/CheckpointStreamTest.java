package dev.cifarpipeline.evaluator.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.evaluator.results.ResultBook;
import dev.cifarpipeline.evaluator.results.ResultLog;
import dev.cifarpipeline.evaluator.scoring.TestCheckpoints;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.GroupMembership;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.testsupport.TopicReads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checkpoint stream's exactly-once bookkeeping on a real broker, without scoring (the handler publishes a
 * stand-in result): two runs' checkpoints interleaved in one partition, an evaluator stopping while one is half
 * read, another taking over. Every checkpoint gets one result, none two, and the committed offset never passes
 * a checkpoint still being reassembled.
 */
@Timeout(120)
class CheckpointStreamTest {
    private static final String CHECKPOINTS = "checkpoints";
    private static final String RESULTS = "results";

    @Test
    void aCheckpointHalfReadWhenAnEvaluatorStopsIsScoredOnceByTheNext() throws Exception {
        List<byte[]> a1 = TestCheckpoints.records("a", "a-1", 1, 1);
        List<byte[]> b1 = TestCheckpoints.records("b", "b-1", 1, 2);
        List<byte[]> a2 = TestCheckpoints.records("a", "a-2", 2, 3);
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig());
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(), new ByteArraySerializer())) {
            TopicSpec.ensure(admin, List.of(TopicSpec.checkpoints(CHECKPOINTS, 1), TopicSpec.events(RESULTS, 1)));
            // partition 0: a-1 chunks, b-1's first chunks, a-1 manifest... b-1 left without its manifest for now
            send(producer, "b", b1.subList(0, b1.size() - 1));
            long b1Start = 0;
            send(producer, "a", a1);
            List<String> scored = new CopyOnWriteArrayList<>();
            List<String> rejected = new CopyOnWriteArrayList<>();

            try (Evaluator first = new Evaluator(kafka, "e-first", scored, rejected)) {
                await(() -> scored.contains("a-1"), () -> "a-1 scored: " + scored + rejected);
                await(() -> committed(admin) == b1Start, () -> "committed " + committed(admin));
                Thread.sleep(1000);
                assertEquals(b1Start, committed(admin), "not past b-1's first chunk while b-1 is incomplete");
            }
            send(producer, "b", b1.subList(b1.size() - 1, b1.size()));
            send(producer, "a", a2);
            try (Evaluator second = new Evaluator(kafka, "e-second", scored, rejected)) {
                await(
                        () -> scored.contains("b-1") && scored.contains("a-2"),
                        () -> "b-1 and a-2 scored: " + scored + rejected);
                Thread.sleep(1000);
            }
            assertEquals(List.of("a-1", "b-1", "a-2"), scored, "each checkpoint once, a's in order");
            assertTrue(rejected.isEmpty(), rejected.toString());
        }
    }

    @Test
    void twoEvaluatorsShareThePartitionsAndEachRunIsScoredInOrder() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig());
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(), new ByteArraySerializer())) {
            TopicSpec.ensure(admin, List.of(TopicSpec.checkpoints(CHECKPOINTS, 2), TopicSpec.events(RESULTS, 1)));
            List<String> scoredByFirst = new CopyOnWriteArrayList<>();
            List<String> scoredBySecond = new CopyOnWriteArrayList<>();
            List<String> rejected = new CopyOnWriteArrayList<>();
            try (Evaluator first = new Evaluator(kafka, "e-first", scoredByFirst, rejected);
                    Evaluator second = new Evaluator(kafka, "e-second", scoredBySecond, rejected)) {
                await(
                        () -> first.stream.joined() && second.stream.joined() && assigned(admin) == 2,
                        () -> "both evaluators own a partition");
                for (int epoch = 1; epoch <= 2; epoch++) {
                    sendTo(producer, 0, "p", TestCheckpoints.records("p", "p-" + epoch, epoch, epoch));
                    sendTo(producer, 1, "q", TestCheckpoints.records("q", "q-" + epoch, epoch, 10 + epoch));
                }
                await(
                        () -> scoredByFirst.size() + scoredBySecond.size() == 4,
                        () -> scoredByFirst + " / " + scoredBySecond);
            }
            List<List<String>> byEvaluator = List.of(List.copyOf(scoredByFirst), List.copyOf(scoredBySecond));
            assertTrue(
                    byEvaluator.contains(List.of("p-1", "p-2")) && byEvaluator.contains(List.of("q-1", "q-2")),
                    "each evaluator scored one run's checkpoints, in order: " + byEvaluator);
            assertTrue(rejected.isEmpty(), rejected.toString());
        }
    }

    /**
     * An evaluator that stalls while scoring (past max.poll.interval.ms) is replaced by the group; the replacement
     * scores the checkpoint and publishes. When the stalled one comes back with its result, the group refuses the
     * transaction it is in, so the results topic holds one result for the checkpoint, and the stalled evaluator
     * goes on with what the group gives it next.
     */
    @Test
    void aResultFromAnEvaluatorTheGroupReplacedWhileItScoredIsDiscarded() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig());
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(), new ByteArraySerializer())) {
            TopicSpec.ensure(admin, List.of(TopicSpec.checkpoints(CHECKPOINTS, 1), TopicSpec.events(RESULTS, 1)));
            List<String> scoredByStalled = new CopyOnWriteArrayList<>();
            List<String> discardedByStalled = new CopyOnWriteArrayList<>();
            List<String> scoredByOther = new CopyOnWriteArrayList<>();
            List<String> rejected = new CopyOnWriteArrayList<>();
            Map<String, Object> shortPollInterval = Map.of(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 4_000);
            try (Evaluator stalled = new Evaluator(
                    kafka,
                    "e-stalled",
                    shortPollInterval,
                    Duration.ofSeconds(12),
                    scoredByStalled,
                    discardedByStalled,
                    rejected)) {
                await(() -> stalled.stream.joined(), () -> "the first evaluator joined");
                send(producer, "z", TestCheckpoints.records("z", "z-1", 1, 5));
                assertTrue(stalled.scoringBegan.await(60, TimeUnit.SECONDS), "it has begun its twelve-second scoring");
                try (Evaluator other = new Evaluator(
                        kafka,
                        "e-other",
                        shortPollInterval,
                        Duration.ZERO,
                        scoredByOther,
                        new CopyOnWriteArrayList<>(),
                        rejected)) {
                    await(() -> scoredByOther.contains("z-1"), () -> "the replacement scored z-1: " + scoredByOther);
                    await(
                            () -> discardedByStalled.contains("z-1"),
                            () -> "the stalled evaluator's result was refused: " + scoredByStalled);
                    send(producer, "z", TestCheckpoints.records("z", "z-2", 2, 6));
                    await(
                            () -> scoredByOther.contains("z-2") || scoredByStalled.contains("z-2"),
                            () -> "z-2 scored by one of them");
                }
            }
            assertEquals(
                    List.of(),
                    scoredByStalled.stream().filter("z-1"::equals).toList(),
                    "the stalled evaluator published nothing for z-1");
            List<String> results = new ArrayList<>();
            TopicReads.readUntilThenDrain(
                            kafka.clientConfig(), RESULTS, Duration.ofSeconds(30), read -> read.size() >= 2)
                    .forEach(r ->
                            results.add(EvaluationResult.fromJson(r.value()).checkpointId()));
            assertEquals(List.of("z-1", "z-2"), results, "one committed result per checkpoint, in order");
            assertTrue(rejected.isEmpty(), rejected.toString());
        }
    }

    /** Members of the evaluators' group that own a partition. */
    private static long assigned(Admin admin) {
        try {
            return admin.describeConsumerGroups(List.of("evaluators")).all().get().get("evaluators").members().stream()
                    .filter(m -> !m.assignment().topicPartitions().isEmpty())
                    .count();
        } catch (Exception e) {
            return 0;
        }
    }

    private static void sendTo(KafkaProducer<String, byte[]> producer, int partition, String key, List<byte[]> records)
            throws Exception {
        for (byte[] r : records) {
            producer.send(new ProducerRecord<>(CHECKPOINTS, partition, key, r)).get();
        }
    }

    private static long committed(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("evaluators")
                    .partitionsToOffsetAndMetadata()
                    .get();
            OffsetAndMetadata o = offsets.get(new TopicPartition(CHECKPOINTS, 0));
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String key, List<byte[]> records)
            throws Exception {
        for (byte[] r : records) {
            producer.send(new ProducerRecord<>(CHECKPOINTS, 0, key, r)).get();
        }
    }

    private static void await(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        Eventually.await(
                "the condition", Duration.ofSeconds(60), condition::getAsBoolean, Boolean::booleanValue, message);
    }

    /** A stream, its result log and its outputs, as EvaluatorNode wires them, with a stand-in for scoring. */
    private static final class Evaluator implements AutoCloseable {
        final ResultBook book = new ResultBook();
        final CountDownLatch scoringBegan = new CountDownLatch(1);
        final EvaluatorOutputs outputs;
        final ResultLog log;
        final CheckpointStream stream;

        Evaluator(InProcessKafka kafka, String id, List<String> scored, List<String> rejected) {
            this(kafka, id, Map.of(), Duration.ZERO, scored, new CopyOnWriteArrayList<>(), rejected);
        }

        /** {@code settings} on top of the broker's; each scoring takes {@code scoring}; discarded results go to {@code discarded}. */
        Evaluator(
                InProcessKafka kafka,
                String id,
                Map<String, Object> settings,
                Duration scoring,
                List<String> scored,
                List<String> discarded,
                List<String> rejected) {
            Map<String, Object> config = kafka.clientConfig();
            config.putAll(settings);
            outputs = new EvaluatorOutputs(config, RESULTS, "dead", id, line -> {});
            log = new ResultLog(config, RESULTS, book, r -> {}, s -> {});
            log.start();
            stream = new CheckpointStream(
                    config,
                    CHECKPOINTS,
                    new GroupMembership("evaluators", id, Duration.ofSeconds(6), true),
                    new CheckpointAssembler(4, 1L << 30),
                    book,
                    log,
                    new CheckpointStream.Handler() {
                        @Override
                        public boolean score(VerifiedCheckpoint c, CheckpointStream.CommitPoint commit)
                                throws InterruptedException {
                            scoringBegan.countDown();
                            Thread.sleep(scoring.toMillis());
                            var m = c.manifest();
                            int[][] confusion = new int[10][10];
                            EvaluationResult r = new EvaluationResult(
                                    EvaluationResult.SCHEMA_VERSION,
                                    m.runId(),
                                    m.sweep(),
                                    m.checkpointId(),
                                    m.model(),
                                    m.layout(),
                                    m.epoch(),
                                    m.step(),
                                    0.5,
                                    1.0,
                                    Collections.nCopies(10, 0.5),
                                    confusion,
                                    10,
                                    0.1,
                                    m.createdAtMillis(),
                                    System.currentTimeMillis());
                            if (!outputs.result(r, commit.offsets(), commit.group())) {
                                discarded.add(m.checkpointId());
                                return false;
                            }
                            book.add(r);
                            scored.add(m.checkpointId());
                            return true;
                        }

                        @Override
                        public void reject(ConsumerRecord<String, byte[]> record, String reason) {
                            rejected.add(reason);
                        }
                    },
                    s -> {});
            stream.start();
        }

        @Override
        public void close() throws InterruptedException {
            stream.close();
            log.close();
            outputs.close();
        }
    }
}
