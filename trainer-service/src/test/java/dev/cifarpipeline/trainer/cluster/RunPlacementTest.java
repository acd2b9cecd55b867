package dev.cifarpipeline.trainer.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunPlacementTest {
    @Test
    void runsSpreadOverTheTrainersOneAtATime() {
        Map<String, Set<Integer>> members = Map.of("a", Set.of(0, 1, 2), "b", Set.of(3, 4, 5));
        assertEquals(0, RunPlacement.choose(6, members, Map.of()), "tie: the first trainer, its lowest partition");
        assertEquals(3, RunPlacement.choose(6, members, Map.of(0, 1)), "the idle trainer");
        assertEquals(
                1,
                RunPlacement.choose(6, members, Map.of(0, 1, 3, 1)),
                "tie again: first trainer, its emptiest partition");
    }

    @Test
    void withoutTrainersTheEmptiestPartitionIsChosen() {
        assertEquals(2, RunPlacement.choose(3, Map.of(), Map.of(0, 2, 1, 1)));
    }

    @Test
    void aTrainerThatOwnsNothingYetCannotTakeARun() {
        assertEquals(1, RunPlacement.choose(2, Map.of("a", Set.of(), "b", Set.of(0, 1)), Map.of(0, 1)));
    }
}
