package dev.cifarpipeline.events;

import java.util.Objects;

/**
 * Something that happened to a training run that people and alerts must hear about.
 *
 * @param schemaVersion version of this event's schema
 * @param runId         the run
 * @param type          DIVERGED, STOPPED, FINISHED, FAILED, CLAIMED or RELEASED
 * @param epoch         1-based epoch in progress (or completed, for FINISHED)
 * @param step          optimizer steps taken
 * @param message       what happened, in words
 * @param atMillis      when, Unix epoch milliseconds
 */
public record TrainingEvent(int schemaVersion, String runId, String type, int epoch, long step, String message, long atMillis) {
    public static final int SCHEMA_VERSION = 1;
    public static final String DIVERGED = "DIVERGED";
    public static final String FINISHED = "FINISHED";
    /** The run ended before its last epoch (it diverged and was configured to stop, or a person stopped it). */
    public static final String STOPPED = "STOPPED";
    /** A training step failed; the run is left as it is until a trainer claims it again. */
    public static final String FAILED = "FAILED";
    /** A trainer took the run on, with the step it resumes at (0 for a fresh run); the message names the trainer. */
    public static final String CLAIMED = "CLAIMED";
    /** A trainer let the run go (moved to another replica, or the trainer shut down) after checkpointing it. */
    public static final String RELEASED = "RELEASED";

    /** Whether a run with this event has ended for good: no trainer takes it on again. */
    public boolean terminal() {
        return FINISHED.equals(type) || STOPPED.equals(type);
    }

    public TrainingEvent {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    public byte[] toJson() {
        return EventJson.write(this);
    }

    public static TrainingEvent fromJson(byte[] json) {
        return EventJson.read(json, TrainingEvent.class);
    }
}
