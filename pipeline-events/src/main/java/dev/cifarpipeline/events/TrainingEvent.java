package dev.cifarpipeline.events;

import java.util.Objects;

/**
 * Something that happened to a training run that people and alerts must hear about.
 *
 * @param schemaVersion version of this event's schema
 * @param runId         the run
 * @param type          DIVERGED or FINISHED
 * @param epoch         1-based epoch in progress (or completed, for FINISHED)
 * @param step          optimizer steps taken
 * @param message       what happened, in words
 * @param atMillis      when, Unix epoch milliseconds
 */
public record TrainingEvent(int schemaVersion, String runId, String type, int epoch, long step, String message, long atMillis) {
    public static final int SCHEMA_VERSION = 1;
    public static final String DIVERGED = "DIVERGED";
    public static final String FINISHED = "FINISHED";

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
