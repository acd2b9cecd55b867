package dev.cifarpipeline.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cifarpipeline.events.kafka.DeadLetter;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trainer's producer against topics created as {@link TopicSpec} defines them: the largest bad batch it may
 * have to dead-letter goes through. (Checkpoints go through {@link RunPublisher}; see its test.)
 */
@Timeout(120)
class TrainerOutputsTest {
    private static final PipelineTopics TOPICS = PipelineTopics.prefixed("outputs-test.");

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
