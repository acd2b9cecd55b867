package dev.cifarpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.EpochMarker;
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
        assertTrue(governor.mayStart(2, OptionalLong.of(5), m));
        assertFalse(governor.mayStart(3, OptionalLong.of(5), m));
        assertTrue(governor.mayStart(3, OptionalLong.of(10), m));
        assertEquals(3, governor.lead(3, OptionalLong.empty(), m), "no run yet counts as epoch 0");
    }
}
