package dev.cifarpipeline.trainer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.Sha256;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.testsupport.InProcessKafka;
import dev.cifarpipeline.trainer.training.Checkpoint;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trainer's producer against topics created as {@link TopicSpec} defines them: the largest checkpoint chunk
 * its configuration accepts goes through, and so does the largest bad batch it may have to dead-letter.
 */
@Timeout(120)
class TrainerOutputsTest {
    private static final PipelineTopics TOPICS = PipelineTopics.prefixed("outputs-test.");

    @Test
    void checkpointsInTheLargestConfigurableChunksArePublishedAndReassemble() throws Exception {
        byte[] bytes = new byte[20 << 20];
        new Random(3).nextBytes(bytes);
        int chunk = CheckpointRecordCodec.MAX_CHUNK_BYTES;
        CheckpointManifest manifest = new CheckpointManifest(
                CheckpointManifest.SCHEMA_VERSION,
                "big-1",
                "big",
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
                System.currentTimeMillis());
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig())) {
            TopicSpec.ensure(
                    admin,
                    List.of(TopicSpec.checkpoints(TOPICS.checkpoints(), 1), TopicSpec.deadLetter(TOPICS.deadLetter())));
            try (TrainerOutputs outputs = new TrainerOutputs(kafka.clientConfig(), TOPICS, "test")) {
                outputs.checkpoint(new Checkpoint(manifest, bytes), chunk);
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
    void aBadBatchAsLargeAsItsTopicAllowsIsDeadLetteredWhole() throws Exception {
        byte[] value = new byte[TopicSpec.BATCH_MAX_MESSAGE_BYTES - 1024];
        ConsumerRecord<String, byte[]> bad = new ConsumerRecord<>(
                "batches",
                0,
                41,
                0L,
                TimestampType.CREATE_TIME,
                0,
                value.length,
                "k",
                value,
                new RecordHeaders(),
                Optional.empty());
        try (InProcessKafka kafka = new InProcessKafka();
                Admin admin = Admin.create(kafka.clientConfig())) {
            TopicSpec.ensure(admin, List.of(TopicSpec.deadLetter(TOPICS.deadLetter())));
            try (TrainerOutputs outputs = new TrainerOutputs(kafka.clientConfig(), TOPICS, "test")) {
                outputs.deadLetter(bad, "AugmentedBatch: bad magic");
            }
            ConsumerRecord<String, byte[]> parked = kafka.readUntil(
                            TOPICS.deadLetter(), 60_000, read -> !read.isEmpty())
                    .get(0);
            assertEquals(value.length, parked.value().length);
            assertEquals(
                    "AugmentedBatch: bad magic",
                    new String(
                            parked.headers()
                                    .lastHeader(DeadLetter.REASON_HEADER)
                                    .value(),
                            StandardCharsets.UTF_8));
            assertEquals(
                    "41",
                    new String(
                            parked.headers()
                                    .lastHeader(DeadLetter.OFFSET_HEADER)
                                    .value(),
                            StandardCharsets.UTF_8));
        }
    }
}
