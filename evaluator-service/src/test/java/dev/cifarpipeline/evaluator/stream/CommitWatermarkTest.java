package dev.cifarpipeline.evaluator.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommitWatermarkTest {
    private final CommitWatermark mark = new CommitWatermark();

    @Test
    void withNothingBeingReassembledTheCommitGoesPastTheRecord() {
        assertEquals(8, mark.safeOffset(0, 7, Set.of()));
    }

    @Test
    void aCheckpointBeingReassembledHoldsItsPartitionAtItsFirstChunk() {
        mark.chunk("a", 0, 10);
        mark.chunk("a", 0, 11);
        assertEquals(10, mark.safeOffset(0, 11, Set.of("a")), "not past a's first chunk");
        assertEquals(31, mark.safeOffset(1, 30, Set.of("a")), "another partition is not held back");
        mark.complete("a");
        assertEquals(13, mark.safeOffset(0, 12, Set.of()), "once a's manifest is read, on past it");
    }

    @Test
    void interleavedCheckpointsHoldAtTheEarliestFirstChunk() {
        mark.chunk("a", 2, 5);
        mark.chunk("b", 2, 6);
        mark.chunk("a", 2, 7);
        mark.complete("a");
        assertEquals(6, mark.safeOffset(2, 8, Set.of("b")), "b, still pending, began at 6");
        mark.complete("b");
        assertEquals(10, mark.safeOffset(2, 9, Set.of()));
    }

    @Test
    void aCheckpointTheAssemblerDroppedHoldsNothingBack() {
        mark.chunk("a", 0, 3);
        assertEquals(3, mark.safeOffset(0, 4, Set.of("a")));
        assertEquals(6, mark.safeOffset(0, 5, Set.of()), "a is no longer pending");
        mark.chunk("b", 0, 6);
        assertEquals(6, mark.safeOffset(0, 6, Set.of("b")), "and a does not come back");
    }

    @Test
    void revokedPartitionsForgetTheirCheckpoints() {
        mark.chunk("a", 0, 3);
        mark.chunk("b", 1, 4);
        assertEquals(Set.of("a"), mark.revoked(List.of(0)), "the reader lets a's chunks go");
        assertEquals(9, mark.safeOffset(0, 8, Set.of("a", "b")), "partition 0 was given up: a holds nothing");
        assertEquals(4, mark.safeOffset(1, 8, Set.of("a", "b")), "b still holds partition 1");
    }
}
