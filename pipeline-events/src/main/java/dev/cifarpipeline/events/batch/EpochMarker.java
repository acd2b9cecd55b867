package dev.cifarpipeline.events.batch;

import dev.cifarpipeline.events.EventJson;
import java.util.Objects;

/**
 * Where an epoch of the training stream starts. Ingest publishes it before the epoch's first batch, so a
 * consumer that seeks to {@code firstOffset} of {@code partition} reads the epoch from its first batch; ingest
 * itself uses the markers to tell which epoch a consumer group's committed offset lies in.
 *
 * @param schemaVersion   version of this event's schema
 * @param streamSeed      the stream the epoch belongs to
 * @param epoch           0-based epoch
 * @param batchesInEpoch  batches the epoch has
 * @param images          training images in the epoch
 * @param topic           the training-batch topic
 * @param partition       its partition
 * @param firstOffset     offset at which the epoch's first batch is (or will be) written
 * @param publishedAtMillis when the marker was written, Unix epoch milliseconds
 */
public record EpochMarker(
        int schemaVersion,
        long streamSeed,
        int epoch,
        int batchesInEpoch,
        int images,
        String topic,
        int partition,
        long firstOffset,
        long publishedAtMillis) {
    public static final int SCHEMA_VERSION = 1;

    public EpochMarker {
        Objects.requireNonNull(topic, "topic");
        if (epoch < 0 || batchesInEpoch <= 0 || firstOffset < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " with " + batchesInEpoch + " batches at offset "
                    + firstOffset + " is not a marker");
        }
    }

    public byte[] toJson() {
        return EventJson.write(this);
    }

    public static EpochMarker fromJson(byte[] json) {
        return EventJson.read(json, EpochMarker.class);
    }
}
