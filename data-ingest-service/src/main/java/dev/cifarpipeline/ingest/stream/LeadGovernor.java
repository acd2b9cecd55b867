package dev.cifarpipeline.ingest.stream;

import dev.cifarpipeline.events.batch.EpochMarker;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;

/**
 * Keeps ingest at most {@code maxEpochsAhead} epochs ahead of the slowest consumer, so that Kafka's disk stays
 * bounded however slow the trainers are. A consumer's epoch is the epoch whose marker's first offset is the
 * greatest not above the consumer's committed offset.
 */
public final class LeadGovernor {
    private final int maxEpochsAhead;

    public LeadGovernor(int maxEpochsAhead) {
        if (maxEpochsAhead < 0) {
            throw new IllegalArgumentException("ingest.max-epochs-ahead must be 0 or more, got " + maxEpochsAhead);
        }
        this.maxEpochsAhead = maxEpochsAhead;
    }

    /** The epoch a consumer at {@code committedOffset} is reading; 0 before any marker. */
    public static int epochAt(long committedOffset, NavigableMap<Integer, EpochMarker> markers) {
        int epoch = 0;
        for (Map.Entry<Integer, EpochMarker> e : markers.entrySet()) {
            if (e.getValue().firstOffset() <= committedOffset) {
                epoch = Math.max(epoch, e.getKey());
            }
        }
        return epoch;
    }

    /**
     * How many epochs {@code nextEpoch} would be ahead of the slowest consumer. With no consumer offset at all
     * the stream counts as read up to epoch 0, so an unread stream still stops growing. {@code streamEnd} is the
     * offset {@code nextEpoch} will start at: a consumer that has read everything up to it has finished the
     * epochs before and is, for the lead, in {@code nextEpoch} already (else a limit of 0 would wait for ever
     * for a consumer to enter an epoch that is never published).
     */
    public int lead(
            int nextEpoch,
            OptionalLong slowestCommittedOffset,
            NavigableMap<Integer, EpochMarker> markers,
            long streamEnd) {
        if (slowestCommittedOffset.isEmpty()) {
            return nextEpoch;
        }
        long committed = slowestCommittedOffset.getAsLong();
        int consumerEpoch =
                committed >= streamEnd && !markers.containsKey(nextEpoch) ? nextEpoch : epochAt(committed, markers);
        return nextEpoch - consumerEpoch;
    }

    public boolean mayStart(
            int nextEpoch,
            OptionalLong slowestCommittedOffset,
            NavigableMap<Integer, EpochMarker> markers,
            long streamEnd) {
        return lead(nextEpoch, slowestCommittedOffset, markers, streamEnd) <= maxEpochsAhead;
    }

    public int maxEpochsAhead() {
        return maxEpochsAhead;
    }
}
