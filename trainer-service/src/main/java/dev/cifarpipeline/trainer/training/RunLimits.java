package dev.cifarpipeline.trainer.training;

/**
 * How much one run may ask of a trainer (the trainer's {@code trainer.limits.*} settings). A spec beyond them is
 * refused when submitted (400) and dead-lettered when it reaches the run-spec topic some other way, naming the key,
 * the value and the limit: a spec is input from whoever can reach the API or the topic.
 *
 * @param maxEpochs                epochs a run may train
 * @param maxScheduleEpochs        epochs a OneCycle schedule may span
 * @param minCheckpointEverySteps  the shortest interval of extra checkpoints (each is a whole model on Kafka)
 */
public record RunLimits(int maxEpochs, int maxScheduleEpochs, int minCheckpointEverySteps) {
    public static final RunLimits DEFAULT = new RunLimits(1000, 1000, 10);

    /** Throws {@link IllegalArgumentException} naming the first value beyond its limit. */
    public void check(TrainingSettings s) {
        if (s.epochs() > maxEpochs) {
            throw new IllegalArgumentException("epochs " + s.epochs() + " exceeds this trainer's limit of " + maxEpochs
                    + " (trainer.limits.max-epochs)");
        }
        if (s.scheduleEpochs() > maxScheduleEpochs) {
            throw new IllegalArgumentException(
                    "scheduleEpochs " + s.scheduleEpochs() + " exceeds this trainer's limit of " + maxScheduleEpochs
                            + " (trainer.limits.max-schedule-epochs)");
        }
        if (s.checkpointEverySteps() > 0 && s.checkpointEverySteps() < minCheckpointEverySteps) {
            throw new IllegalArgumentException("checkpointEverySteps " + s.checkpointEverySteps()
                    + " is below this trainer's limit of " + minCheckpointEverySteps
                    + " (trainer.limits.min-checkpoint-every-steps; 0 checkpoints at epoch ends only)");
        }
    }
}
