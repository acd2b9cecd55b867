package dev.cifarpipeline.evaluator.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.evaluator.TestResults;
import dev.cifarpipeline.events.EvaluationResult;
import org.junit.jupiter.api.Test;

/** The book stays bounded however many runs it sees, and still knows a checkpoint it let its run go of was scored. */
class ResultBookTest {
    @Test
    void runsBeyondTheLimitAreLetGoButTheirCheckpointsStillCountAsScored() {
        ResultBook book = new ResultBook(2, 100);
        book.add(result("r1", "r1-a", 0.1));
        book.add(result("r2", "r2-a", 0.2));
        book.add(result("r1", "r1-b", 0.3)); // r1 is now the latest
        book.add(result("r3", "r3-a", 0.4)); // r2 goes
        assertEquals(java.util.Set.of("r1", "r3"), book.snapshot().keySet());
        assertTrue(book.contains("r2-a"), "a checkpoint of a run let go is still known as scored");
        assertFalse(book.add(result("r2", "r2-a", 0.2)), "and is not added twice");
        assertEquals(0.3, book.best("r1").orElseThrow().accuracy());
    }

    @Test
    void theScoredIdsAreBoundedOldestFirst() {
        ResultBook book = new ResultBook(10, 3);
        for (int i = 0; i < 5; i++) {
            book.add(result("r", "c" + i, 0.5));
        }
        assertFalse(book.contains("c0"));
        assertFalse(book.contains("c1"));
        assertTrue(book.contains("c2") && book.contains("c4"));
    }

    @Test
    void aSweepsWinnerIsItsRunWithTheBestCheckpointAndTheFirstSubmittedOnATie() {
        ResultBook book = new ResultBook();
        book.add(result("s-2", "s", "s-2-a", 0.4));
        book.add(result("s-1", "s", "s-1-a", 0.3));
        book.add(result("s-3", "s", "s-3-a", 0.2));
        book.add(result("lone", null, "lone-a", 0.9)); // a run of its own never wins a sweep
        book.add(result("t-1", "t", "t-1-a", 0.8)); // nor does another sweep's run
        assertEquals("s-2", book.sweepWinner("s").orElseThrow().runId());
        book.add(result("s-3", "s", "s-3-b", 0.5)); // a later, better checkpoint makes s-3 the winner
        EvaluationResult winner = book.sweepWinner("s").orElseThrow();
        assertEquals("s-3", winner.runId());
        assertEquals("s-3-b", winner.checkpointId());
        book.add(result("s-1", "s", "s-1-b", 0.5)); // a tie: the run submitted first wins
        assertEquals("s-1", book.sweepWinner("s").orElseThrow().runId());
        assertEquals(java.util.Set.of("s-1", "s-2", "s-3"), book.sweepBests("s").keySet());
        assertTrue(book.sweepWinner("nobody").isEmpty());
    }

    @Test
    void aSweepWhoseRunsWereLetGoIsForgottenWithThem() {
        ResultBook book = new ResultBook(2, 100);
        book.add(result("s-1", "s", "s-1-a", 0.3));
        book.add(result("s-2", null, "s-2-a", 0.3)); // an older evaluator's result, without the sweep
        book.add(result("s-2", "s", "s-2-b", 0.3));
        book.add(result("r1", null, "r1-a", 0.1)); // s-1 goes
        book.add(result("r2", null, "r2-a", 0.2)); // s-2 goes, whichever of its results named the sweep
        assertTrue(book.sweepWinner("s").isEmpty());
        assertTrue(book.sweepBests("s").isEmpty());
    }

    private static EvaluationResult result(String run, String checkpoint, double accuracy) {
        return result(run, null, checkpoint, accuracy);
    }

    private static EvaluationResult result(String run, String sweep, String checkpoint, double accuracy) {
        return TestResults.of(run, sweep, checkpoint, accuracy);
    }
}
