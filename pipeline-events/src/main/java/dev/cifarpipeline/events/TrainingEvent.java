package dev.cifarpipeline.events;

import java.util.Objects;

/**
 * Something that happened to a training run that people and alerts must hear about.
 *
 * @param schemaVersion version of this event's schema
 * @param runId         the run
 * @param type          DIVERGED, STOPPED, FINISHED, FAILED, CLAIMED, RELEASED, RUNG_PASSED or RUNG_CUT
 * @param epoch         1-based epoch in progress (or completed, for FINISHED)
 * @param step          optimizer steps taken
 * @param message       what happened, in words
 * @param atMillis      when, Unix epoch milliseconds
 */
public record TrainingEvent(
        int schemaVersion, String runId, Type type, int epoch, long step, String message, long atMillis) {
    public static final int SCHEMA_VERSION = 1;

    /** What happened to the run. */
    public enum Type {
        DIVERGED,
        FINISHED,
        /** The run ended before its last epoch (it diverged and was configured to stop, or a person stopped it). */
        STOPPED,
        /** A training step failed; the run is left as it is until a trainer claims it again. */
        FAILED,
        /** A trainer took the run on, with the step it resumes at (0 for a fresh run); the message names the trainer. */
        CLAIMED,
        /** A trainer let the run go (moved to another replica, or the trainer shut down) after checkpointing it. */
        RELEASED,
        /**
         * The run of a sweep with early stopping reached a rung and is among the best there: it goes on. The message
         * holds the decision ({@code dev.cifarpipeline.events.sweep.SuccessiveHalving.Decision}); epoch is the rung.
         */
        RUNG_PASSED,
        /** As {@link #RUNG_PASSED}, for a run below the rung's cutoff: it stops early (STOPPED follows). */
        RUNG_CUT;

        /** Whether a run with this event has ended for good: no trainer takes it on again. */
        public boolean terminal() {
            return this == FINISHED || this == STOPPED;
        }
    }

    /** Whether a run with this event has ended for good: no trainer takes it on again. */
    public boolean terminal() {
        return type.terminal();
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
