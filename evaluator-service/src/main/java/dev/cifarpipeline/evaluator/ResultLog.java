package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.RecordFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the results topic from its start into a {@link ResultBook}, on a thread of its own, without a consumer
 * group: every evaluator sees every result. {@link #catchUp(Duration)} waits until the book holds everything
 * the topic held when it was called, which is how an evaluator taking over checkpoints learns which of them
 * were scored already.
 */
public final class ResultLog implements Runnable, AutoCloseable {
    private final Map<String, Object> kafka;
    private final String topic;
    private final ResultBook book;
    private final Consumer<EvaluationResult> onResult;
    private final Consumer<String> log;
    private final Object progress = new Object();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean closed;
    private volatile boolean started;
    private Thread thread;

    public ResultLog(Map<String, Object> kafka, String topic, ResultBook book, Consumer<EvaluationResult> onResult, Consumer<String> log) {
        this.kafka = kafka;
        this.topic = topic;
        this.book = book;
        this.onResult = onResult;
        this.log = log;
    }

    public synchronized void start() {
        thread = new Thread(this, "result-log");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        Map<String, Object> config = new HashMap<>(kafka);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "evaluator-result-log");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(60))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        EvaluationResult result = EvaluationResult.fromJson(r.value());
                        if (book.add(result)) {
                            onResult.accept(result);
                        }
                    } catch (RecordFormatException | IllegalArgumentException e) {
                        log.accept("skipping an unreadable result at " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                    }
                }
                synchronized (progress) {
                    for (TopicPartition tp : partitions) {
                        positions.put(tp, c.position(tp));
                    }
                    started = true;
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.accept("the result log stopped: " + e);
        }
    }

    /** Waits until every result on the topic now is in the book. */
    public void catchUp(Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> end;
        Map<String, Object> config = new HashMap<>(kafka);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "evaluator-result-log-end");
        try (KafkaConsumer<String, byte[]> probe = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : probe.partitionsFor(topic, timeout)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            end = probe.endOffsets(partitions, timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (!caughtUp(end)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the results topic was not read to its end within " + timeout);
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        if (!started) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (positions.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(10_000);
        }
    }
}
