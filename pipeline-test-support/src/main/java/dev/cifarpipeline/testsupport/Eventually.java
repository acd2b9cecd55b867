package dev.cifarpipeline.testsupport;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting in tests for what another process or thread does: look again every {@link #POLL} until it holds, or fail
 * once the time is up saying what was awaited and what was seen last. The one deadline loop the tests use, and no
 * fixed sleeps standing in for it.
 */
public final class Eventually {
    public static final Duration POLL = Duration.ofMillis(200);

    /** Something to look at that may throw (an HTTP call, a Kafka admin request). */
    @FunctionalInterface
    public interface Probe<T> {
        T look() throws Exception;
    }

    private Eventually() {}

    /** Waits until {@code condition} holds; the failure says {@code what} was awaited. */
    public static void await(String what, Duration timeout, Probe<Boolean> condition) throws InterruptedException {
        await(what, timeout, condition, Boolean::booleanValue);
    }

    /**
     * Looks at {@code probe} until {@code done} accepts what it returns, and returns that. The failure names
     * {@code what} and shows the last value seen (or the last exception the probe threw).
     */
    public static <T> T await(String what, Duration timeout, Probe<T> probe, Predicate<T> done)
            throws InterruptedException {
        return await(what, timeout, probe, done, () -> "");
    }

    /** As {@link #await(String, Duration, Probe, Predicate)}, adding {@code context} (a log's tail, say) to a failure. */
    public static <T> T await(
            String what, Duration timeout, Probe<T> probe, Predicate<T> done, Supplier<String> context)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = "nothing yet";
        while (true) {
            try {
                T seen = probe.look();
                if (done.test(seen)) {
                    return seen;
                }
                last = seen;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                String more = context.get();
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; last seen: " + last
                        + (more.isEmpty() ? "" : "\n" + more));
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
