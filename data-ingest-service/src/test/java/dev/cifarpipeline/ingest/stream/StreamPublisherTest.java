package dev.cifarpipeline.ingest.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.EpochMarker;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.ingest.augment.BatchFactory;
import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link StreamPublisher} against a real in-process KRaft broker. */
class StreamPublisherTest {
    private static final CifarDataset DATASET = new CifarDataset(
            Path.of("synthetic"),
            "synthetic",
            SyntheticCifar.generate(200, 3, false),
            SyntheticCifar.generate(50, 3, true));
    private static InProcessKafka kafka;

    @BeforeAll
    static void broker() throws Exception {
        kafka = new InProcessKafka();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    private static PipelineTopics topics(String prefix) {
        return PipelineTopics.prefixed(prefix + ".");
    }

    private static StreamPublisher.Settings settings(int epochs, int maxAhead) {
        return new StreamPublisher.Settings(epochs, 9, 4, maxAhead, Duration.ofMillis(100), "none");
    }

    /** Records of {@code listener}'s events. */
    static final class Recorder implements PublishListener {
        final List<String> published = new CopyOnWriteArrayList<>();
        final List<String> states = new CopyOnWriteArrayList<>();
        final AtomicInteger lead = new AtomicInteger();

        @Override
        public void published(PublishedBatch batch, long latencyNanos) {
            published.add(batch.id());
        }

        @Override
        public void epochStarted(int epoch) {}

        @Override
        public void lead(int epochsAhead, boolean waiting) {
            lead.set(epochsAhead);
        }

        @Override
        public void state(String state) {
            states.add(state);
        }
    }

    private static List<AugmentedBatch> trainBatches(PipelineTopics topics, int expected) {
        List<AugmentedBatch> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r :
                kafka.readUntil(topics.trainBatches(), 30_000, read -> read.size() >= expected)) {
            out.add(AugmentedBatchCodec.decode(r.value()));
        }
        return out;
    }

    @Test
    void publishesTheTestSetMarkersAndEveryEpochInOrder() throws Exception {
        PipelineTopics topics = topics("full");
        BatchFactory batches = new BatchFactory(DATASET, 9, 32, 20); // 7 train batches per epoch, 3 test batches
        Recorder recorder = new Recorder();
        try (StreamPublisher publisher =
                new StreamPublisher(batches, topics, kafka.clientConfig(), settings(2, 5), recorder)) {
            StreamPublisher.ResumePoint resume = publisher.prepare();
            assertEquals(new StreamPublisher.ResumePoint(0, 0, false), resume);
            publisher.run(resume, () -> false);
        }
        List<AugmentedBatch> train = trainBatches(topics, 14);
        assertEquals(14, train.size());
        for (int i = 0; i < 14; i++) {
            assertEquals(batches.trainBatch(i / 7, i % 7), train.get(i), "batch " + i + " is the factory's, in order");
        }
        assertEquals(
                3,
                kafka.readUntil(topics.testBatches(), 30_000, read -> read.size() >= 3)
                        .size());
        List<ConsumerRecord<String, byte[]>> markers =
                kafka.readUntil(topics.epochMarkers(), 30_000, read -> read.size() >= 2);
        EpochMarker second = EpochMarker.fromJson(markers.get(1).value());
        assertEquals(1, second.epoch());
        assertEquals(7, second.firstOffset(), "epoch 1 starts after epoch 0's seven batches");
        assertEquals(List.of("PUBLISHING_TEST_SET", "PUBLISHING", "PUBLISHING", "FINISHED"), recorder.states);
    }

    @Test
    void aRestartContinuesAfterTheLastBatchTheBrokerHolds() throws Exception {
        PipelineTopics topics = topics("restart");
        BatchFactory batches = new BatchFactory(DATASET, 9, 32, 20);
        Recorder first = new Recorder();
        try (StreamPublisher publisher =
                new StreamPublisher(batches, topics, kafka.clientConfig(), settings(2, 5), first)) {
            // stop after ten training batches: mid-way through epoch 1
            publisher.run(
                    publisher.prepare(),
                    () -> first.published.stream()
                                    .filter(id -> id.startsWith("TRAIN"))
                                    .count()
                            >= 10);
        }
        int already = (int)
                first.published.stream().filter(id -> id.startsWith("TRAIN")).count();
        assertTrue(already >= 10 && already < 14, "stopped mid-stream after " + already);
        Recorder second = new Recorder();
        try (StreamPublisher publisher = new StreamPublisher(
                new BatchFactory(DATASET, 9, 32, 20), topics, kafka.clientConfig(), settings(2, 5), second)) {
            StreamPublisher.ResumePoint resume = publisher.prepare();
            assertEquals(new StreamPublisher.ResumePoint(already / 7, already % 7, true), resume);
            publisher.run(resume, () -> false);
        }
        assertFalse(
                second.published.stream().anyMatch(id -> id.startsWith("TEST")),
                "the complete test set is not sent again");
        List<AugmentedBatch> train = trainBatches(topics, 14);
        assertEquals(14, train.size(), "no batch skipped, none repeated");
        for (int i = 0; i < 14; i++) {
            assertEquals(batches.trainBatch(i / 7, i % 7), train.get(i));
        }
    }

    @Test
    void aTopicHoldingAnotherStreamIsRefusedWithBothSettingsNamed() throws Exception {
        PipelineTopics topics = topics("other");
        try (StreamPublisher publisher = new StreamPublisher(
                new BatchFactory(DATASET, 9, 32, 20), topics, kafka.clientConfig(), settings(1, 5), new Recorder())) {
            publisher.run(publisher.prepare(), () -> false);
        }
        try (StreamPublisher publisher = new StreamPublisher(
                new BatchFactory(DATASET, 9, 64, 20), topics, kafka.clientConfig(), settings(1, 5), new Recorder())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, publisher::prepare);
            assertTrue(
                    e.getMessage().contains("seed 9 and 7 batches per epoch")
                            && e.getMessage().contains("seed 9 and 4 batches per epoch"),
                    e.getMessage());
        }
    }

    @Test
    void holdsBackWhileTheSlowestRunIsTooFarBehindAndGoesOnWhenItCatchesUp() throws Exception {
        PipelineTopics topics = topics("lead");
        BatchFactory batches = new BatchFactory(DATASET, 9, 32, 20);
        Recorder recorder = new Recorder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread;
        try (StreamPublisher publisher =
                new StreamPublisher(batches, topics, kafka.clientConfig(), settings(4, 1), recorder)) {
            StreamPublisher.ResumePoint resume = publisher.prepare();
            thread = new Thread(() -> {
                try {
                    publisher.run(resume, () -> false);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            thread.start();
            // no run has read anything: epochs 0 and 1 (one ahead) go out, then it waits
            awaitCondition(() -> recorder.states.contains("WAITING_FOR_CONSUMERS"));
            Thread.sleep(500);
            assertEquals(
                    14,
                    recorder.published.stream()
                            .filter(id -> id.startsWith("TRAIN"))
                            .count());
            assertEquals(2, recorder.lead.get());

            // a run commits the start of epoch 1: epoch 2 may go, epoch 3 not yet
            commit("trainer-slow", topics.trainBatches(), 7);
            awaitCondition(() -> recorder.published.stream()
                            .filter(id -> id.startsWith("TRAIN"))
                            .count()
                    == 21);
            Thread.sleep(500);
            assertEquals(
                    21,
                    recorder.published.stream()
                            .filter(id -> id.startsWith("TRAIN"))
                            .count());

            commit("trainer-slow", topics.trainBatches(), 14);
            thread.join(30_000);
            assertFalse(thread.isAlive());
        }
        assertEquals(null, failure.get());
        assertEquals(
                28,
                recorder.published.stream().filter(id -> id.startsWith("TRAIN")).count());
        assertEquals("FINISHED", recorder.states.get(recorder.states.size() - 1));
    }

    private static void commit(String group, String topic, long offset) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)))
                    .all()
                    .get();
        }
    }

    private static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
        Eventually.await("the condition", Duration.ofSeconds(30), condition::getAsBoolean);
    }
}
