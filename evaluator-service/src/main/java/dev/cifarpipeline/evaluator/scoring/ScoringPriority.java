package dev.cifarpipeline.evaluator.scoring;

import java.time.Duration;

/**
 * The checkpoint stream's scoring goes first. Scoring takes every core, so a {@code /score} request that runs beside
 * it halves its speed, and a checkpoint's scoring must finish within the group's poll interval or its result is
 * fenced. A request's scoring therefore pauses between its batches while the stream scores, for at most
 * {@code maxPause} per request, so a request is delayed, never left waiting for good.
 */
public final class ScoringPriority {
    private final long maxPauseNanos;
    private int streamScoring;

    public ScoringPriority(Duration maxPause) {
        this.maxPauseNanos = maxPause.toNanos();
    }

    public synchronized void streamStarts() {
        streamScoring++;
    }

    public synchronized void streamEnds() {
        streamScoring--;
        notifyAll();
    }

    /** A request's turn at a batch boundary: waits while the stream scores, until {@code deadline} (nanoTime). */
    public synchronized void yieldToStream(long deadline) {
        try {
            while (streamScoring > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The deadline of a request's pauses that starts now. */
    public long pauseDeadline() {
        return System.nanoTime() + maxPauseNanos;
    }

    public synchronized boolean streamScoring() {
        return streamScoring > 0;
    }
}
