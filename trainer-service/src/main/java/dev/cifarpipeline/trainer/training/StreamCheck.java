package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.batch.EpochMarker;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Whether a batch read from the training stream belongs to it, before the {@link BatchLedger} counts it. A batch's
 * own fields cannot be trusted (a CRC catches accidents, not intent): a batch claiming its epoch has a different
 * number of batches, arriving first, would make every honest batch of that epoch look wrong and stall the run. So
 * each batch must be a training batch, announced by a marker of its epoch (same stream seed, batch count, topic and
 * partition, at or before the batch's offset), and of the stream this run trains on: the first batch that passes
 * fixes the run's stream seed and batches per epoch (every epoch of a stream has the same count). A forged marker
 * alone changes nothing (honest batches find their own marker beside it); a forged batch needs a forged marker
 * that agrees with it, and after the first batch also the run's seed and count.
 */
public final class StreamCheck {
    /** Markers of one epoch as the epoch-markers topic holds them, oldest first; asked again when none fits. */
    public interface Markers {
        List<EpochMarker> of(int epoch, boolean refresh);
    }

    private final Markers markers;
    private OptionalLong streamSeed = OptionalLong.empty();
    private OptionalInt batchesInEpoch = OptionalInt.empty();

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
        if (batchesInEpoch.isPresent() && batchesInEpoch.getAsInt() != batch.batchesInEpoch()) {
            throw new RecordFormatException(where + " says its epoch has " + batch.batchesInEpoch()
                    + " batches; this run's stream has " + batchesInEpoch.getAsInt() + " per epoch");
        }
        List<EpochMarker> candidates = candidates(batch, topic, partition, false);
        if (candidates.stream().noneMatch(m -> fits(m, batch, offset))) {
            candidates = candidates(batch, topic, partition, true);
        }
        if (candidates.stream().noneMatch(m -> fits(m, batch, offset))) {
            throw new RecordFormatException(where + refusal(candidates, batch, topic, partition, offset));
        }
        streamSeed = OptionalLong.of(batch.streamSeed());
        batchesInEpoch = OptionalInt.of(batch.batchesInEpoch());
    }

    private List<EpochMarker> candidates(AugmentedBatch batch, String topic, int partition, boolean refresh) {
        return markers.of(batch.epoch(), refresh).stream()
                .filter(m ->
                        m.streamSeed() == batch.streamSeed() && m.topic().equals(topic) && m.partition() == partition)
                .toList();
    }

    private static boolean fits(EpochMarker m, AugmentedBatch batch, long offset) {
        return m.batchesInEpoch() == batch.batchesInEpoch() && m.firstOffset() <= offset;
    }

    private static String refusal(
            List<EpochMarker> candidates, AugmentedBatch batch, String topic, int partition, long offset) {
        if (candidates.isEmpty()) {
            return ": no marker announces epoch " + batch.epoch() + " of stream " + batch.streamSeed() + " on " + topic
                    + "-" + partition;
        }
        EpochMarker first = candidates.get(0);
        if (candidates.stream().noneMatch(m -> m.batchesInEpoch() == batch.batchesInEpoch())) {
            return " says its epoch has " + batch.batchesInEpoch() + " batches; the epoch's marker says "
                    + first.batchesInEpoch();
        }
        return " lies before its epoch's first offset "
                + candidates.stream()
                        .filter(m -> m.batchesInEpoch() == batch.batchesInEpoch())
                        .mapToLong(EpochMarker::firstOffset)
                        .min()
                        .orElseThrow()
                + " (the marker's)";
    }
}
