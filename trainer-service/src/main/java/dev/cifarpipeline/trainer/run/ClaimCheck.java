package dev.cifarpipeline.trainer.run;

/**
 * Asks the trainers' group, as it stands now, whether a run's claim is still this trainer's. Opening a run's
 * transactional producer fences whoever opened it before, so a trainer opens it only on this answer, never on what its
 * own claims consumer last heard: a trainer back from a pause (or an outage) may reach the producer before its
 * consumer learns that its partitions moved on, and would otherwise fence the run's rightful owner.
 */
@FunctionalInterface
public interface ClaimCheck {
    enum Answer {
        /** The group gives the run's spec partition to this trainer's current membership. */
        HELD,
        /** The group gives it to another member (or this trainer is no longer a member). */
        LOST,
        /** No answer yet: the group is rebalancing, or the broker cannot be reached; ask again shortly. */
        UNSETTLED
    }

    Answer ask() throws InterruptedException;

    /** For a run no group shares (a benchmark's): nobody else can ever own it. */
    ClaimCheck SOLE_OWNER = () -> Answer.HELD;
}
