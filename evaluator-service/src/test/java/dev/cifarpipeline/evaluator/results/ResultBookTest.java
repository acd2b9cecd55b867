package dev.cifarpipeline.evaluator.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.EvaluationResult;
import java.util.Collections;
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

    private static EvaluationResult result(String run, String checkpoint, double accuracy) {
        return new EvaluationResult(
                EvaluationResult.SCHEMA_VERSION,
                run,
                checkpoint,
                "vgg11",
                "batchnorm",
                1,
                10,
                accuracy,
                1.0,
                Collections.nCopies(10, accuracy),
                new int[10][10],
                100,
                1.0,
                0,
                0);
    }
}
