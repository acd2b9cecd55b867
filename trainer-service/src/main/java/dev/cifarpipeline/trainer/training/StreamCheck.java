package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.batch.EpochMarker;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Whether a batch read from the training stream belongs to it, before the {@link BatchLedger} counts it. A batch's
 * own fields cannot be trusted (a CRC catches accidents, not intent): a batch claiming its epoch has a different
 * number of batches, arriving first, would make every honest batch of that epoch look wrong and stall the run. So
 * each batch must be a training batch, of the stream this run trains on, announced by its epoch's marker (the first
 * marker ingest wrote for that stream, epoch, topic and partition), agree with the marker on the epoch's batch count,
 * and lie at or after the marker's first offset. The first batch that passes fixes the run's stream seed.
 */
public final class StreamCheck {
    /** Markers of one epoch as the epoch-markers topic holds them, oldest first; asked again when none fits. */
    public interface Markers {
        List<EpochMarker> of(int epoch, boolean refresh);
    }

    private final Markers markers;
    private OptionalLong streamSeed = OptionalLong.empty();

    public StreamCheck(Markers markers) {
        this.markers = markers;
    }

    /** The stream seed this run trains on, once a batch has fixed it. */
    public OptionalLong streamSeed() {
        return streamSeed;
    }

    /** Passes a batch that belongs to the run's stream; throws naming what is wrong otherwise. */
    public void verify(AugmentedBatch batch, String topic, int partition, long offset) {
        String where = "batch " + batch.id() + " at " + topic + "-" + partition + "@" + offset;
        if (batch.kind() != BatchKind.TRAIN) {
            throw new RecordFormatException(where + " is a " + batch.kind() + " batch on the training stream");
        }
        if (streamSeed.isPresent() && streamSeed.getAsLong() != batch.streamSeed()) {
            throw new RecordFormatException(where + " is of stream " + batch.streamSeed()
                    + "; this run trains on stream " + streamSeed.getAsLong());
        }
        Optional<EpochMarker> marker = marker(batch, topic, partition, false);
        if (marker.isEmpty()) {
            marker = marker(batch, topic, partition, true);
        }
        if (marker.isEmpty()) {
            throw new RecordFormatException(where + ": no marker announces epoch " + batch.epoch() + " of stream "
                    + batch.streamSeed() + " on " + topic + "-" + partition);
        }
        EpochMarker m = marker.get();
        if (m.batchesInEpoch() != batch.batchesInEpoch()) {
            throw new RecordFormatException(where + " says its epoch has " + batch.batchesInEpoch()
                    + " batches; the epoch's marker says " + m.batchesInEpoch());
        }
        if (offset < m.firstOffset()) {
            throw new RecordFormatException(
                    where + " lies before its epoch's first offset " + m.firstOffset() + " (the marker's)");
        }
        streamSeed = OptionalLong.of(batch.streamSeed());
    }

    private Optional<EpochMarker> marker(AugmentedBatch batch, String topic, int partition, boolean refresh) {
        return markers.of(batch.epoch(), refresh).stream()
                .filter(m ->
                        m.streamSeed() == batch.streamSeed() && m.topic().equals(topic) && m.partition() == partition)
                .findFirst();
    }
}
