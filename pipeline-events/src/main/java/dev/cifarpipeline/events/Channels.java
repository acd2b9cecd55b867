package dev.cifarpipeline.events;

/**
 * Reactive-messaging channel names. Services map each channel to its topic in {@code application.properties};
 * tests use the same constants. Only the evaluator's test-set intake goes through SmallRye; the other streams
 * use plain Kafka clients, whose group, offset and rebalance handling the pipeline's guarantees depend on.
 */
public final class Channels {
    public static final String TEST_BATCHES_IN = "test-batches-in";

    private Channels() {}
}
