package dev.cifarpipeline.events;

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

    private DeadLetter() {
    }
}
