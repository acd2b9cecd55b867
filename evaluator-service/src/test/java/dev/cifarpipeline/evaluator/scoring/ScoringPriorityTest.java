package dev.cifarpipeline.evaluator.scoring;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScoringPriorityTest {
    @Test
    void aRequestWaitsWhileTheStreamScoresAndGoesOnWhenItEnds() throws Exception {
        ScoringPriority priority = new ScoringPriority(Duration.ofMinutes(1));
        priority.streamStarts();
        CountDownLatch past = new CountDownLatch(1);
        Thread request = new Thread(() -> {
            priority.yieldToStream(priority.pauseDeadline());
            past.countDown();
        });
        request.start();
        assertFalse(past.await(300, TimeUnit.MILLISECONDS), "the request waits while the stream scores");
        priority.streamEnds();
        assertTrue(past.await(5, TimeUnit.SECONDS), "and goes on when it ends");
        assertFalse(priority.streamScoring());
    }

    @Test
    void aRequestsPausesAreBounded() {
        ScoringPriority priority = new ScoringPriority(Duration.ofMillis(100));
        priority.streamStarts(); // and never ends
        long start = System.nanoTime();
        priority.yieldToStream(priority.pauseDeadline());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "left waiting");
    }
}
