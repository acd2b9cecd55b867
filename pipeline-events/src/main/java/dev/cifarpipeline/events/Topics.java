package dev.cifarpipeline.events;

/**
 * Default Kafka topic names. Every service, script and test takes its topic names from here (or from
 * configuration that defaults to these), so that a rename happens in one place.
 */
public final class Topics {
    /** Augmented uint8 training mini-batches, in epoch order; encoded by {@code batch.AugmentedBatchCodec}. */
    public static final String TRAIN_BATCHES = "cifar.train.batches";
    /** The test set, not augmented, as batches of {@code batch.BatchKind.TEST}; keyed by batch index. */
    public static final String TEST_BATCHES = "cifar.test.batches";
    /** One {@code batch.EpochMarker} per epoch of the train stream: where it starts, so a run can start at a boundary. */
    public static final String EPOCH_MARKERS = "cifar.epoch.markers";
    /**
     * {@link RunSpec}s keyed by run id, compacted. Trainers share its partitions through one consumer group: a
     * partition's owner trains the runs in it, so each run has one trainer and moves when that trainer dies.
     */
    public static final String RUN_SPECS = "cifar.run.specs";
    /** Checkpoint chunks followed by their manifest; keyed by run so one run's records stay in order. */
    public static final String CHECKPOINTS = "cifar.checkpoints";
    /** One {@link EvaluationResult} per scored checkpoint. */
    public static final String EVALUATION_RESULTS = "cifar.evaluation.results";
    /** {@link TrainingEvent}s: a run diverged, finished, was stopped. */
    public static final String TRAINING_EVENTS = "cifar.training.events";
    /** Records that failed to decode or verify, with the reason in the {@code dead-letter-reason} header. */
    public static final String DEAD_LETTER = "cifar.dead-letter";

    private Topics() {}
}
