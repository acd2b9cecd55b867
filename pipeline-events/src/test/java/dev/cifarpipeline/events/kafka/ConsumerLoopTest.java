package dev.cifarpipeline.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.testsupport.Eventually;
import dev.cifarpipeline.testsupport.InProcessKafka;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A loop outlives transient failures: a poll's handling that times out is waited out, and the body's recovery is
 * asked again before every poll until it succeeds (polling on from where the failure left off would skip records);
 * any other failure stops the loop and shows in its liveness.
 */
@Timeout(90)
class ConsumerLoopTest {
    @Test
    void aTransientFailureIsWaitedOutAndRecoveryIsRetriedUntilItSucceeds() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            topic(kafka);
            AtomicInteger polls = new AtomicInteger();
            AtomicInteger recoveries = new AtomicInteger();
            AtomicInteger pollsAfterRecovery = new AtomicInteger();
            try (ConsumerLoop loop = loop(kafka, new ConsumerLoop.Body() {
                @Override
                public void open(KafkaConsumer<String, byte[]> consumer) {
                    consumer.subscribe(List.of("loop-test"));
                }

                @Override
                public void polled(KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
                    if (polls.incrementAndGet() == 1) {
                        throw new TimeoutException("the broker is away");
                    }
                    if (recoveries.get() >= 2) {
                        pollsAfterRecovery.incrementAndGet();
                    }
                }

                @Override
                public void recover(KafkaConsumer<String, byte[]> consumer) {
                    if (recoveries.incrementAndGet() == 1) {
                        throw new TimeoutException("still away");
                    }
                }
            })) {
                loop.start();
                Eventually.await(
                        "polls after the recovery", Duration.ofSeconds(30), () -> pollsAfterRecovery.get() > 2);
                assertEquals(2, recoveries.get(), "recovery asked again until it succeeded, then not any more");
                assertTrue(loop.alive());
            }
        }
    }

    @Test
    void anyOtherFailureStopsTheLoopAndShowsInItsLiveness() throws Exception {
        try (InProcessKafka kafka = new InProcessKafka()) {
            topic(kafka);
            try (ConsumerLoop loop = loop(kafka, new ConsumerLoop.Body() {
                @Override
                public void open(KafkaConsumer<String, byte[]> consumer) {
                    consumer.subscribe(List.of("loop-test"));
                }

                @Override
                public void polled(KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
                    throw new IllegalStateException("a bug");
                }
            })) {
                loop.start();
                Eventually.await("the loop to stop", Duration.ofSeconds(30), () -> !loop.alive());
                assertEquals("a bug", loop.failure().getMessage());
            }
        }
    }

    private static ConsumerLoop loop(InProcessKafka kafka, ConsumerLoop.Body body) {
        return new ConsumerLoop(
                "loop-test",
                KafkaClients.groupMember(kafka.clientConfig(), "loop-test", "loop-test", Duration.ofSeconds(10), false),
                Duration.ofMillis(100),
                body,
                line -> {});
    }

    private static void topic(InProcessKafka kafka) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            TopicSpec.ensure(admin, List.of(TopicSpec.events("loop-test", 1)));
        }
    }
}
