package dev.cifarpipeline.ingest.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.batch.EpochMarker;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LeadGovernorTest {
    private static TreeMap<Integer, EpochMarker> markers(long... firstOffsets) {
        TreeMap<Integer, EpochMarker> m = new TreeMap<>();
        for (int e = 0; e < firstOffsets.length; e++) {
            m.put(e, new EpochMarker(1, 0, e, 10, 100, "t", 0, firstOffsets[e], 0));
        }
        return m;
    }

    @Test
    void aCommittedOffsetLiesInTheEpochWhoseMarkerPrecedesIt() {
        TreeMap<Integer, EpochMarker> m = markers(0, 11, 21); // a foreign record sits at offset 10
        assertEquals(0, LeadGovernor.epochAt(0, m));
        assertEquals(0, LeadGovernor.epochAt(10, m));
        assertEquals(1, LeadGovernor.epochAt(11, m));
        assertEquals(2, LeadGovernor.epochAt(500, m));
    }

    @Test
    void mayStartOnlyWithinTheAllowedLead() {
        LeadGovernor governor = new LeadGovernor(2);
        TreeMap<Integer, EpochMarker> m = markers(0, 10, 20, 30);
        assertTrue(governor.mayStart(2, OptionalLong.of(5), m, 40));
        assertFalse(governor.mayStart(3, OptionalLong.of(5), m, 40));
        assertTrue(governor.mayStart(3, OptionalLong.of(10), m, 40));
        assertEquals(3, governor.lead(3, OptionalLong.empty(), m, 40), "no run yet counts as epoch 0");
    }

    @Test
    void withNoLeadAllowedTheNextEpochStartsOnceTheSlowestRunHasReadTheWholeStream() {
        // ingest.max-epochs-ahead=0: epoch 1 has no marker yet, so no committed offset can lie in it; a run that
        // has read all of epoch 0 (offsets 0-24, stream end 25) counts as in epoch 1 and lets it start.
        LeadGovernor governor = new LeadGovernor(0);
        TreeMap<Integer, EpochMarker> m = markers(0);
        assertFalse(governor.mayStart(1, OptionalLong.of(24), m, 25), "one batch of epoch 0 still unread");
        assertEquals(1, governor.lead(1, OptionalLong.of(24), m, 25));
        assertTrue(governor.mayStart(1, OptionalLong.of(25), m, 25));
        assertEquals(0, governor.lead(1, OptionalLong.of(25), m, 25));
        assertFalse(governor.mayStart(1, OptionalLong.empty(), m, 25), "no run at all: the stream still stops growing");
    }
}
