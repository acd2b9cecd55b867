package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.batch.EpochMarker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class StreamCheckTest {
    private static final String TOPIC = "cifar.train.batches";
    /** What the markers topic holds, and what the check has read of it (up to its last refresh). */
    private final List<EpochMarker> topic = new ArrayList<>();

    private List<EpochMarker> read = List.of();
    private int refreshes;
    private final StreamCheck check = new StreamCheck((epoch, refresh) -> {
        if (refresh) {
            refreshes++;
            read = List.copyOf(topic);
        }
        return read.stream().filter(m -> m.epoch() == epoch).toList();
    });

    private static EpochMarker marker(long seed, int epoch, int batches, long firstOffset) {
        return new EpochMarker(EpochMarker.SCHEMA_VERSION, seed, epoch, batches, batches * 2, TOPIC, 0, firstOffset, 0);
    }

    private static AugmentedBatch batch(BatchKind kind, long seed, int epoch, int index, int batches) {
        return new AugmentedBatch(
                kind,
                seed,
                epoch,
                index,
                batches,
                new int[] {0, 1},
                new byte[2],
                new byte[2 * ImageGeometry.BYTES_PER_IMAGE]);
    }

    private void refused(String reason, Executable verify) {
        RecordFormatException e = assertThrows(RecordFormatException.class, verify);
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void aBatchAnnouncedByItsEpochsMarkerPassesAndFixesTheStream() {
        topic.add(marker(7, 0, 10, 5));
        check.verify(batch(BatchKind.TRAIN, 7, 0, 3, 10), TOPIC, 0, 9);
        assertEquals(7, check.streamSeed().getAsLong());
    }

    @Test
    void aFirstBatchLyingAboutItsEpochsLengthIsRefusedAndTheHonestOnesPass() {
        topic.add(marker(7, 0, 10, 0));
        refused(
                "says its epoch has 1000000 batches; the epoch's marker says 10",
                () -> check.verify(batch(BatchKind.TRAIN, 7, 0, 0, 1_000_000), TOPIC, 0, 1));
        for (int i = 0; i < 10; i++) {
            check.verify(batch(BatchKind.TRAIN, 7, 0, i, 10), TOPIC, 0, 1 + i);
        }
    }

    @Test
    void testBatchesOtherStreamsAndUnannouncedEpochsAreRefused() {
        topic.add(marker(7, 0, 10, 0));
        refused(
                "is a TEST batch on the training stream",
                () -> check.verify(batch(BatchKind.TEST, 7, 0, 0, 10), TOPIC, 0, 1));
        refused(
                "no marker announces epoch 0 of stream 8",
                () -> check.verify(batch(BatchKind.TRAIN, 8, 0, 0, 10), TOPIC, 0, 1));
        refused("no marker announces epoch 3", () -> check.verify(batch(BatchKind.TRAIN, 7, 3, 0, 10), TOPIC, 0, 1));
        refused("no marker announces", () -> check.verify(batch(BatchKind.TRAIN, 7, 0, 0, 10), TOPIC, 1, 1));
        check.verify(batch(BatchKind.TRAIN, 7, 0, 0, 10), TOPIC, 0, 1);
        topic.add(marker(8, 1, 10, 20));
        refused(
                "is of stream 8; this run trains on stream 7",
                () -> check.verify(batch(BatchKind.TRAIN, 8, 1, 0, 10), TOPIC, 0, 21));
    }

    @Test
    void aBatchBeforeItsEpochsFirstOffsetIsRefused() {
        topic.add(marker(7, 1, 10, 100));
        refused(
                "lies before its epoch's first offset 100",
                () -> check.verify(batch(BatchKind.TRAIN, 7, 1, 0, 10), TOPIC, 0, 99));
    }

    @Test
    void aForgedMarkerBesideTheHonestOneChangesNothing() {
        topic.add(marker(7, 0, 999, 0)); // forged, and written first
        topic.add(marker(7, 0, 10, 0));
        check.verify(batch(BatchKind.TRAIN, 7, 0, 0, 10), TOPIC, 0, 1);
        assertEquals(1, refreshes, "the first batch read the topic");
        refused(
                "says its epoch has 999 batches; this run's stream has 10 per epoch",
                () -> check.verify(batch(BatchKind.TRAIN, 7, 0, 1, 999), TOPIC, 0, 2));
        check.verify(batch(BatchKind.TRAIN, 7, 0, 1, 10), TOPIC, 0, 3);
        assertEquals(1, refreshes, "a fitting marker was known: no reading");
        topic.add(marker(7, 1, 10, 30));
        check.verify(batch(BatchKind.TRAIN, 7, 1, 0, 10), TOPIC, 0, 30);
        assertEquals(2, refreshes, "a new epoch's marker is read when its first batch comes");
    }
}
