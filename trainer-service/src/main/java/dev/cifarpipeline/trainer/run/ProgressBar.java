package dev.cifarpipeline.trainer.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar per run, redrawn in place on a terminal ({@code \r}, at most a few times a second);
 * where output goes to a log instead, {@link #NONE} draws nothing and the seed's plain lines are the record.
 */
public interface ProgressBar {
    ProgressBar NONE = (runId, epoch, epochs, done, total, meanLoss, imagesPerSecond) -> {};

    /** Shows the state after a step: 1-based {@code epoch} of {@code epochs}, {@code done} of {@code total} batches. */
    void update(String runId, int epoch, int epochs, int done, int total, double meanLoss, double imagesPerSecond);

    /** A bar for {@code out} if it is a terminal ({@code System.console()} present), else {@link #NONE}. */
    static ProgressBar forConsole(PrintStream out) {
        return System.console() == null ? NONE : new Terminal(out, 250_000_000L);
    }

    /** The text of a bar: {@code run a  epoch 2/60 [#######.............] 150/391  loss 1.234  812 img/s}. */
    static String render(
            String runId,
            int epoch,
            int epochs,
            int done,
            int total,
            double meanLoss,
            double imagesPerSecond,
            int width) {
        int filled = total <= 0 ? 0 : (int) Math.min(width, (long) done * width / total);
        return String.format(
                Locale.ROOT,
                "run %s  epoch %d/%d [%s%s] %d/%d  loss %.3f  %.0f img/s",
                runId,
                epoch,
                epochs,
                "#".repeat(filled),
                ".".repeat(width - filled),
                done,
                total,
                meanLoss,
                imagesPerSecond);
    }

    /** Redraws in place, throttled; a finished epoch gets its own line so the history stays on screen. */
    final class Terminal implements ProgressBar {
        private final PrintStream out;
        private final long minNanos;
        private long last = Long.MIN_VALUE;

        public Terminal(PrintStream out, long minNanos) {
            this.out = out;
            this.minNanos = minNanos;
        }

        @Override
        public synchronized void update(
                String runId, int epoch, int epochs, int done, int total, double meanLoss, double imagesPerSecond) {
            long now = System.nanoTime();
            boolean epochEnd = done == total;
            if (!epochEnd && last != Long.MIN_VALUE && now - last < minNanos) {
                return;
            }
            last = now;
            out.print("\r" + render(runId, epoch, epochs, done, total, meanLoss, imagesPerSecond, 30)
                    + (epochEnd ? "\n" : ""));
            out.flush();
        }
    }
}
