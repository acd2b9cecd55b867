package dev.cifarpipeline.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recovery on a real (in-process) broker, runs sharing one partition: a run some trainer took on (it has a
 * training event) is searched for and its checkpoint found; a run without a single event is fresh, and its
 * partition, full of other runs' checkpoints, is not read at all. A checkpoint keyed by the fresh run but never
 * announced by an event (which no trainer can publish: CLAIMED goes out first) is what proves the search skipped.
 * Another writer's transaction left open on the events partition does not hide a run's CLAIMED.
 */
@Timeout(120)
class CheckpointRecoveryTest {
    @Test
    void aRunNoTrainerTookOnIsFreshAndItsPartitionIsNotSearched() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            RunPublisherTest.topics(kafka); // one partition each: both runs live in it
            try (RunPublisher taken = RunPublisherTest.publisher(kafka, "taken", () -> false)) {
                taken.event(RunPublisherTest.event("taken", TrainingEvent.Type.CLAIMED));
                taken.checkpoint(
                        RunPublisherTest.checkpoint("taken", "taken-1", RunPublisherTest.bytes(1), 4096), 4096);
            }
            try (RunPublisher unannounced = RunPublisherTest.publisher(kafka, "fresh", () -> false)) {
                unannounced.checkpoint(
                        RunPublisherTest.checkpoint("fresh", "fresh-1", RunPublisherTest.bytes(2), 4096), 4096);
            }

            assertTrue(CheckpointRecovery.everClaimed(
                    kafka.clientConfig(), RunPublisherTest.TOPICS.trainingEvents(), "taken"));
            assertFalse(CheckpointRecovery.everClaimed(
                    kafka.clientConfig(), RunPublisherTest.TOPICS.trainingEvents(), "fresh"));

            List<String> fresh = new ArrayList<>();
            assertEquals(
                    Optional.empty(),
                    CheckpointRecovery.latest(kafka.clientConfig(), RunPublisherTest.TOPICS, "fresh", fresh::add));
            assertEquals(List.of("run fresh has no training event yet: a fresh run, no checkpoint to look for"), fresh);

            // another run's transaction left open on the same partition hides every later record from a
            // read-committed reader until it ends; the run's CLAIMED written after it must still count
            java.util.Map<String, Object> config = new java.util.HashMap<>(kafka.clientConfig());
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "hanging");
            try (KafkaProducer<String, byte[]> hanging =
                    new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
                hanging.initTransactions();
                hanging.beginTransaction();
                hanging.send(new ProducerRecord<>(RunPublisherTest.TOPICS.trainingEvents(), "other", new byte[] {1}))
                        .get();
                hanging.flush();
                try (RunPublisher late = RunPublisherTest.publisher(kafka, "late", () -> false)) {
                    late.event(RunPublisherTest.event("late", TrainingEvent.Type.CLAIMED));
                }
                assertTrue(CheckpointRecovery.everClaimed(
                        kafka.clientConfig(), RunPublisherTest.TOPICS.trainingEvents(), "late"));
                hanging.abortTransaction();
            }

            List<String> resumed = new ArrayList<>();
            CheckpointRecovery.latest(kafka.clientConfig(), RunPublisherTest.TOPICS, "taken", resumed::add);
            assertTrue(
                    resumed.stream().anyMatch(l -> l.startsWith("latest checkpoint taken-1 has format test")),
                    "the taken run's checkpoint is found (in a test format, so not resumed from): " + resumed);
        }
    }
}
