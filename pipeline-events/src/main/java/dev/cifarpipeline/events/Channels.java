package dev.cifarpipeline.events;

/**
 * Reactive-messaging channel names. Services map each channel to its topic in {@code application.properties};
 * tests use the same constants.
 */
public final class Channels {
    public static final String TRAIN_BATCHES_OUT = "train-batches-out";
    public static final String TEST_BATCHES_OUT = "test-batches-out";
    public static final String TRAIN_BATCHES_IN = "train-batches-in";
    public static final String TEST_BATCHES_IN = "test-batches-in";
    public static final String CHECKPOINTS_OUT = "checkpoints-out";
    public static final String CHECKPOINTS_IN = "checkpoints-in";
    public static final String EVALUATION_RESULTS_OUT = "evaluation-results-out";
    public static final String TRAINING_EVENTS_OUT = "training-events-out";

    private Channels() {
    }
}
