package dev.cifarpipeline.events.kafka;

import dev.cifarpipeline.events.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Names of the Kafka headers on every record forwarded to {@link Topics#DEAD_LETTER} (SmallRye's
 * dead-letter-queue failure strategy writes the same names); tests and tooling read the reason from here.
 */
public final class DeadLetter {
    /** The message of the exception that rejected the record: what was wrong and where. */
    public static final String REASON_HEADER = "dead-letter-reason";
    /** The topic the record was first published to. */
    public static final String TOPIC_HEADER = "dead-letter-topic";
    /** The partition it came from. */
    public static final String PARTITION_HEADER = "dead-letter-partition";
    /** Its offset there. */
    public static final String OFFSET_HEADER = "dead-letter-offset";

    private DeadLetter() {}

    /** The record to send to {@code deadLetterTopic} for {@code record}: its key and value as they were, reason and origin in headers. */
    public static ProducerRecord<String, byte[]> forward(
            ConsumerRecord<String, byte[]> record, String reason, String deadLetterTopic) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(deadLetterTopic, record.key(), record.value());
        out.headers().add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        out.headers().add(TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        out.headers().add(PARTITION_HEADER, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        out.headers().add(OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
