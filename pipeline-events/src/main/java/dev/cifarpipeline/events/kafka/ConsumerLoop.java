package dev.cifarpipeline.events.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One Kafka consumer on a thread of its own, the way every long-lived reader of the pipeline runs one: the
 * consumer is made on that thread and opened by the body (subscribed as a group member, or assigned), polled until
 * the loop is closed, each poll's records handed to the body; closing wakes the consumer, and closing the consumer
 * on the loop's thread revokes its partitions and leaves the group. A failure stops the loop and is kept for
 * liveness: {@link #alive()} is false once the thread has died for any reason but {@link #close()}. A transient
 * failure (the broker unreachable past a client timeout: {@link KafkaClients#transientFailure}) does not stop it:
 * the body {@linkplain Body#recover recovers} (puts its partitions back where nothing is lost) and polling goes on
 * after a pause, however long the outage lasts.
 */
public final class ConsumerLoop implements AutoCloseable {
    /**
     * How long {@link #close()} waits for the thread: revoking partitions may take a while (a trainer checkpoints
     * the runs of the partitions it gives up).
     */
    public static final Duration CLOSE_TIMEOUT = Duration.ofMinutes(3);

    /** What runs on the loop's thread. */
    public interface Body {
        /** Subscribes or assigns; once, before the first poll. */
        void open(KafkaConsumer<String, byte[]> consumer);

        /** The records of one poll, none when nothing came within the poll timeout. */
        void polled(KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records)
                throws InterruptedException;

        /**
         * {@link #polled} (or a rebalance callback within the poll) failed transiently part-way: put the consumer where
         * no record is lost (e.g. back to the committed offsets). Called before every poll until it succeeds. Nothing
         * by default: for a body whose records may be skipped (one that reads everything again anyway).
         */
        default void recover(KafkaConsumer<String, byte[]> consumer) {}
    }

    /** The pause after a transient failure before polling again. */
    static final Duration RETRY_PAUSE = Duration.ofSeconds(2);

    private final String name;
    private final Map<String, Object> config;
    private final Duration pollTimeout;
    private final Body body;
    private final Consumer<String> log;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean closed;
    private volatile Throwable failure;
    private Thread thread;

    /**
     * @param name   the thread's name, and what the log calls the loop
     * @param config the consumer's settings
     */
    public ConsumerLoop(
            String name, Map<String, Object> config, Duration pollTimeout, Body body, Consumer<String> log) {
        this.name = name;
        this.config = Map.copyOf(config);
        this.pollTimeout = pollTimeout;
        this.body = body;
        this.log = log;
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(name + " started already");
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            if (closed) {
                return;
            }
            body.open(c);
            boolean recoverPending = false;
            while (!closed) {
                try {
                    if (recoverPending) {
                        body.recover(c); // until it succeeds: polling on from where the failure left would skip records
                        recoverPending = false;
                    }
                    body.polled(c, c.poll(pollTimeout));
                } catch (WakeupException e) {
                    // close() woke the consumer; the loop condition says to leave
                } catch (RuntimeException e) {
                    if (closed || !KafkaClients.transientFailure(e)) {
                        throw e;
                    }
                    log.accept(name + ": " + e.getMessage() + " (transient; trying again in " + RETRY_PAUSE.toSeconds()
                            + " s)");
                    Thread.sleep(RETRY_PAUSE.toMillis());
                    recoverPending = true;
                }
            }
        } catch (WakeupException e) {
            // closed while opening
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
            log.accept(name + " stopped: " + e);
        }
    }

    /** Whether the loop is running or has not started yet; false once it stopped for any reason but {@link #close()}. */
    public boolean alive() {
        Thread t = thread;
        return failure == null && (t == null || t.isAlive() || closed);
    }

    /** Why the loop stopped, or null. */
    public Throwable failure() {
        return failure;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(CLOSE_TIMEOUT.toMillis());
            if (t.isAlive()) {
                log.accept(name + " did not stop within " + CLOSE_TIMEOUT);
            }
        }
    }
}
