package dev.cifarpipeline.events.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.TrainingEvent;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SweepDeciderTest {
    private static RunSpec run(String id, String sweep) {
        return RunSpec.of(id).with("epochs", 9).with("sweep", sweep).with("ashaEta", 3);
    }

    private static TrainingEvent rungEvent(SuccessiveHalving.Decision d) {
        return new TrainingEvent(
                TrainingEvent.SCHEMA_VERSION,
                d.run(),
                d.stop() ? TrainingEvent.Type.RUNG_CUT : TrainingEvent.Type.RUNG_PASSED,
                d.rung(),
                0,
                d.describe(),
                0);
    }

    @Test
    void anotherTrainersDecisionsOnTheEventsTopicAreTheFieldARunIsHeldTo() {
        SweepDecider here = new SweepDecider();
        SweepDecider there = new SweepDecider();
        for (String id : new String[] {"s-1", "s-2", "s-3"}) {
            here.spec(run(id, "s"));
            there.spec(run(id, "s"));
        }
        // s-1 trains on the other trainer, which decides it and publishes the decision
        SuccessiveHalving.Decision first = there.result("s-1", 1, 0.8).orElseThrow();
        assertEquals(Optional.empty(), here.event(rungEvent(first)), "a pass asks nothing of this trainer");
        // s-2 trains here: held to s-1's 0.8
        SuccessiveHalving.Decision second = here.result("s-2", 1, 0.5).orElseThrow();
        assertTrue(second.stop());
        assertEquals(1, second.compared());
        assertEquals(Optional.empty(), here.result("s-2", 1, 0.9), "decided once");
        assertEquals(Optional.empty(), here.result("s-2", 9, 0.9), "the last epoch is no rung");
    }

    @Test
    void aCutReadBackAfterARestartIsToBeAppliedAndEventsBeforeTheirSpecWait() {
        SweepDecider restarted = new SweepDecider();
        SuccessiveHalving asha = new SuccessiveHalving(3, 1, 9);
        asha.observe("t-1", 1, 0.9);
        SuccessiveHalving.Decision cut = asha.observe("t-2", 1, 0.1).orElseThrow();
        assertEquals(Optional.empty(), restarted.event(rungEvent(cut)), "its spec is not read yet");
        restarted.spec(run("t-1", "t"));
        restarted.spec(run("t-2", "t"));
        assertEquals(Optional.of(cut), restarted.event(rungEvent(cut)), "a cut: the run's trainer stops it");
        assertEquals(Optional.empty(), restarted.result("t-2", 1, 0.1), "the cut counts as the decision");
    }

    @Test
    void runsWithoutEarlyStoppingAreNotDecided() {
        SweepDecider decider = new SweepDecider();
        decider.spec(RunSpec.of("plain").with("epochs", 9).with("sweep", "p"));
        decider.spec(RunSpec.of("alone").with("epochs", 9));
        assertEquals(Optional.empty(), decider.result("plain", 1, 0.5));
        assertEquals(Optional.empty(), decider.result("alone", 1, 0.5));
        assertEquals(Optional.empty(), decider.result("unknown", 1, 0.5));
    }

    @Test
    void theTalliesCountEachRunsRecordedDecisionOncePerRung() {
        SweepDecider decider = new SweepDecider();
        for (String id : new String[] {"s-1", "s-2", "s-3"}) {
            decider.spec(run(id, "s"));
        }
        SuccessiveHalving asha = new SuccessiveHalving(3, 1, 9);
        SuccessiveHalving.Decision a = asha.observe("s-1", 1, 0.8).orElseThrow();
        SuccessiveHalving.Decision b = asha.observe("s-2", 1, 0.2).orElseThrow();
        SuccessiveHalving.Decision c = asha.observe("s-1", 3, 0.9).orElseThrow();
        for (SuccessiveHalving.Decision d : new SuccessiveHalving.Decision[] {a, b, c, b}) { // b read twice
            decider.event(rungEvent(d));
        }
        // a decision of this trainer's own counts when its event is read back, not before
        decider.result("s-3", 1, 0.1);
        assertEquals(
                java.util.List.of(new SweepDecider.RungTally("s", 1, 1, 1), new SweepDecider.RungTally("s", 3, 1, 0)),
                decider.tallies());
        assertEquals(3, decider.changes(), "b read again changed nothing");
    }

    @Test
    void decisionsAtNoRungOfTheSweepAreIgnoredAndTheSweepDecidedOnLastComesLast() {
        SweepDecider decider = new SweepDecider();
        decider.spec(run("s-1", "s"));
        decider.spec(run("t-1", "t"));
        SuccessiveHalving.Decision atTwo = new SuccessiveHalving.Decision("s-1", 2, 0.5, Optional.empty(), 0, false);
        SuccessiveHalving.Decision atNine = new SuccessiveHalving.Decision("s-1", 9, 0.5, Optional.empty(), 0, true);
        assertEquals(Optional.empty(), decider.event(rungEvent(atTwo)), "2 is no rung of η = 3");
        assertEquals(Optional.empty(), decider.event(rungEvent(atNine)), "nor is the run's last epoch: no cut");
        assertEquals(java.util.List.of(), decider.tallies());
        assertEquals(0, decider.changes());
        decider.event(rungEvent(new SuccessiveHalving.Decision("s-1", 1, 0.5, Optional.empty(), 0, false)));
        decider.event(rungEvent(new SuccessiveHalving.Decision("t-1", 1, 0.5, Optional.empty(), 0, false)));
        decider.event(rungEvent(new SuccessiveHalving.Decision("s-1", 3, 0.5, Optional.empty(), 0, false)));
        assertEquals(
                java.util.List.of("t", "s", "s"),
                decider.tallies().stream().map(SweepDecider.RungTally::sweep).toList());
    }
}
