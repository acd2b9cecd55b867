package dev.cifarpipeline.trainer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.Sha256;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.testsupport.TopicReads;
import dev.cifarpipeline.trainer.training.Checkpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run's transactional writes on a real (in-process) broker: a checkpoint in the largest chunks the configuration
 * accepts goes through whole; the last trainer to open a run's publisher fences every earlier one, so a trainer
 * whose run moved on cannot publish; and a checkpoint left half published by a trainer that died mid-publication
 * is aborted when the run's next owner opens its publisher, so readers never see its chunks.
 */
@Timeout(180)
class RunPublisherTest {
    static final PipelineTopics TOPICS = PipelineTopics.prefixed("publisher-test.");

    @Test
    void checkpointsInTheLargestConfigurableChunksArePublishedAndReassemble() throws Exception {
        byte[] bytes = new byte[20 << 20];
        new Random(3).nextBytes(bytes);
        int chunk = CheckpointRecordCodec.MAX_CHUNK_BYTES;
        try (InProcessKafka kafka = new InProcessKafka()) {
            topics(kafka);
            try (RunPublisher publisher = publisher(kafka, "big", () -> false)) {
                publisher.checkpoint(checkpoint("big", "big-1", bytes, chunk), chunk);
            }
            CheckpointAssembler assembler = new CheckpointAssembler(2, 64L << 20);
            Optional<VerifiedCheckpoint> verified = Optional.empty();
            for (ConsumerRecord<String, byte[]> r :
                    kafka.readUntil(TOPICS.checkpoints(), 60_000, read -> read.size() >= 4)) {
                verified = assembler.accept(CheckpointRecordCodec.decode(r.value()));
            }
            assertTrue(verified.isPresent(), "three 8 MiB chunks and a manifest make the checkpoint again");
            assertArrayEquals(bytes, verified.get().bytes());
        }
    }

    @Test
    void theRunsNextOwnerFencesTheTrainerItTookTheRunFrom() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            topics(kafka);
            try (RunPublisher zombie = publisher(kafka, "r", () -> false)) {
                zombie.checkpoint(checkpoint("r", "r-1", bytes(1), 4096), 4096);
                try (RunPublisher owner = publisher(kafka, "r", () -> false)) {
                    RunPublisher.Fenced fenced = assertThrows(
                            RunPublisher.Fenced.class,
                            () -> zombie.checkpoint(checkpoint("r", "r-2", bytes(2), 4096), 4096));
                    assertTrue(fenced.getMessage().contains("newer producer"), fenced.getMessage());
                    assertThrows(
                            RunPublisher.Fenced.class, () -> zombie.event(event("r", TrainingEvent.Type.FINISHED)));
                    owner.checkpoint(checkpoint("r", "r-3", bytes(3), 4096), 4096);
                    owner.event(event("r", TrainingEvent.Type.FINISHED));
                }
            }
            assertEquals(
                    List.of("r-1", "r-3"),
                    committedManifests(kafka, 2),
                    "the fenced trainer's checkpoint never appears");
            List<ConsumerRecord<String, byte[]>> events = TopicReads.readUntilThenDrain(
                    kafka.clientConfig(), TOPICS.trainingEvents(), Duration.ofSeconds(30), read -> !read.isEmpty());
            assertEquals(1, events.size(), "one FINISHED: the owner's");
        }
    }

    @Test
    void aCheckpointHalfPublishedByATrainerThatDiedIsNeverSeen() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            topics(kafka);
            Checkpoint half = checkpoint("d", "d-1", bytes(5), 1024);
            List<byte[]> records = CheckpointChunker.records(half.manifest(), half.bytes(), 1024);
            // The dying trainer: its transaction is open with three chunks in it when it stops, never to commit.
            Map<String, Object> config = new HashMap<>(kafka.clientConfig());
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, RunPublisher.transactionalId(TOPICS, "d"));
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 600_000); // not the broker's timeout: the next owner
            KafkaProducer<String, byte[]> dying =
                    new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
            dying.initTransactions();
            dying.beginTransaction();
            for (byte[] r : records.subList(0, 3)) {
                dying.send(new ProducerRecord<>(TOPICS.checkpoints(), "d", r)).get();
            }
            try (RunPublisher owner = publisher(kafka, "d", () -> false)) {
                owner.checkpoint(checkpoint("d", "d-2", bytes(6), 1024), 1024);
            }
            dying.close(Duration.ZERO);
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : TopicReads.readUntilThenDrain(
                    kafka.clientConfig(),
                    TOPICS.checkpoints(),
                    Duration.ofSeconds(30),
                    read -> read.stream().anyMatch(x -> x.value()[3] == 'M'))) {
                ids.add(CheckpointRecordCodec.decode(r.value()).checkpointId());
            }
            assertEquals(Set.of("d-2"), ids, "no chunk of the half-published checkpoint is visible to readers");
        }
    }

    @Test
    void aTrainerThatLostItsClaimWritesNothing() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            topics(kafka);
            AtomicBoolean lost = new AtomicBoolean();
            try (RunPublisher publisher = publisher(kafka, "c", lost::get)) {
                lost.set(true);
                assertThrows(
                        RunPublisher.Fenced.class,
                        () -> publisher.checkpoint(checkpoint("c", "c-1", bytes(7), 4096), 4096));
                lost.set(false);
                publisher.checkpoint(checkpoint("c", "c-2", bytes(8), 4096), 4096);
            }
            assertEquals(List.of("c-2"), committedManifests(kafka, 1));
        }
    }

    @Test
    void aTrainerTheGroupNoLongerGivesTheRunToDoesNotOpenItsProducerSoTheOwnerIsNotFenced() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            topics(kafka);
            try (RunPublisher owner = publisher(kafka, "s", () -> false)) {
                owner.checkpoint(checkpoint("s", "s-1", bytes(9), 4096), 4096);
                // Back from a pause, its own claims consumer has not heard yet (claimLost is false); the group has.
                RunPublisher.Fenced refused = assertThrows(
                        RunPublisher.Fenced.class,
                        () -> publisher(kafka, "s", () -> false, () -> ClaimCheck.Answer.LOST));
                assertTrue(refused.getMessage().contains("another trainer"), refused.getMessage());
                owner.checkpoint(checkpoint("s", "s-2", bytes(10), 4096), 4096);
            }
            assertEquals(List.of("s-1", "s-2"), committedManifests(kafka, 2), "the owner was never fenced");
        }
    }

    @Test
    void aPublisherWaitsWhileTheGroupRebalancesAndOpensOnceItConfirmsTheClaim() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            topics(kafka);
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            ClaimCheck settlesOnTheThirdAsk =
                    () -> asked.incrementAndGet() < 3 ? ClaimCheck.Answer.UNSETTLED : ClaimCheck.Answer.HELD;
            try (RunPublisher publisher = publisher(kafka, "u", () -> false, settlesOnTheThirdAsk)) {
                publisher.checkpoint(checkpoint("u", "u-1", bytes(11), 4096), 4096);
            }
            assertEquals(3, asked.get(), "asked until the group answered");
            assertEquals(List.of("u-1"), committedManifests(kafka, 1));
        }
    }

    static void topics(InProcessKafka kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicSpec.ensure(
                    admin,
                    List.of(
                            TopicSpec.checkpoints(TOPICS.checkpoints(), 1),
                            TopicSpec.events(TOPICS.trainingEvents(), 1)));
        }
    }

    static RunPublisher publisher(InProcessKafka kafka, String run, java.util.function.BooleanSupplier lost)
            throws InterruptedException {
        return publisher(kafka, run, lost, ClaimCheck.SOLE_OWNER);
    }

    static RunPublisher publisher(
            InProcessKafka kafka, String run, java.util.function.BooleanSupplier lost, ClaimCheck owner)
            throws InterruptedException {
        return new RunPublisher(kafka.clientConfig(), TOPICS, run, "test-" + run, lost, owner, () -> false, line -> {});
    }

    private static List<String> committedManifests(InProcessKafka kafka, int atLeast) {
        List<String> out = new ArrayList<>();
        TopicReads.readUntilThenDrain(
                        kafka.clientConfig(),
                        TOPICS.checkpoints(),
                        Duration.ofSeconds(30),
                        read -> read.stream().filter(x -> x.value()[3] == 'M').count() >= atLeast)
                .forEach(r -> {
                    if (CheckpointRecordCodec.decode(r.value()) instanceof CheckpointManifest m) {
                        out.add(m.checkpointId());
                    }
                });
        return out;
    }

    static byte[] bytes(int seed) {
        byte[] b = new byte[10_000];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Checkpoint checkpoint(String run, String id, byte[] bytes, int chunk) {
        return new Checkpoint(
                new CheckpointManifest(
                        CheckpointManifest.SCHEMA_VERSION,
                        id,
                        run,
                        null,
                        "vgg11",
                        "batchnorm",
                        "test",
                        1,
                        10,
                        2.0,
                        bytes.length,
                        CheckpointChunker.chunkCount(bytes.length, chunk),
                        Sha256.hex(bytes),
                        List.of(),
                        System.currentTimeMillis()),
                bytes);
    }

    static TrainingEvent event(String run, TrainingEvent.Type type) {
        return new TrainingEvent(TrainingEvent.SCHEMA_VERSION, run, type, 1, 10, "test", System.currentTimeMillis());
    }
}
