package dev.cifarpipeline.evaluator.results;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.kafka.ConsumerLoop;
import dev.cifarpipeline.events.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the results topic from its start into a {@link ResultBook}, on a thread of its own, without a consumer
 * group: every evaluator sees every result. {@link #catchUp(Duration)} waits until the book holds everything
 * the topic held when it was called, which is how an evaluator taking over checkpoints learns which of them
 * were scored already.
 */
public final class ResultLog implements AutoCloseable {
    /** How long the log waits for its topic to appear (the evaluator creates it just before). */
    static final Duration TOPIC_WAIT = Duration.ofSeconds(60);

    private final Map<String, Object> kafka;
    private final String topic;
    private final ResultBook book;
    private final Consumer<EvaluationResult> onResult;
    private final Consumer<String> log;
    private volatile Runnable onUnreadable = () -> {};
    private final Duration topicWait;
    private final Object progress = new Object();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final ConsumerLoop loop;
    private volatile boolean started;

    public ResultLog(
            Map<String, Object> kafka,
            String topic,
            ResultBook book,
            Consumer<EvaluationResult> onResult,
            Consumer<String> log) {
        this(kafka, topic, book, onResult, log, TOPIC_WAIT);
    }

    ResultLog(
            Map<String, Object> kafka,
            String topic,
            ResultBook book,
            Consumer<EvaluationResult> onResult,
            Consumer<String> log,
            Duration topicWait) {
        this.topicWait = topicWait;
        this.kafka = kafka;
        this.topic = topic;
        this.book = book;
        this.onResult = onResult;
        this.log = log;
        this.loop = new ConsumerLoop(
                "result-log",
                readerConfig("evaluator-result-log"),
                Duration.ofMillis(200),
                new ConsumerLoop.Body() {
                    private List<TopicPartition> partitions;

                    @Override
                    public void open(KafkaConsumer<String, byte[]> consumer) {
                        partitions = KafkaClients.partitions(consumer, topic, ResultLog.this.topicWait);
                        consumer.assign(partitions);
                        consumer.seekToBeginning(partitions);
                    }

                    @Override
                    public void polled(
                            KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
                        for (ConsumerRecord<String, byte[]> r : records) {
                            try {
                                EvaluationResult result = EvaluationResult.fromJson(r.value());
                                if (book.add(result)) {
                                    onResult.accept(result);
                                }
                            } catch (RecordFormatException | IllegalArgumentException e) {
                                onUnreadable.run();
                                log.accept("skipping an unreadable result at " + r.topic() + "-" + r.partition() + "@"
                                        + r.offset() + ": " + e.getMessage());
                            }
                        }
                        synchronized (progress) {
                            for (TopicPartition tp : partitions) {
                                positions.put(tp, consumer.position(tp));
                            }
                            started = true;
                            progress.notifyAll();
                        }
                    }
                },
                log);
    }

    public void start() {
        loop.start();
    }

    /** A plain reader: no group, no commits, and no topic created by asking for it (the services create theirs). */
    private Map<String, Object> readerConfig(String clientId) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, KafkaClients.ISOLATION);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /** Whether the log still follows the topic; when it stopped, {@link #failure()} says why. */
    public boolean alive() {
        return loop.alive();
    }

    public Throwable failure() {
        return loop.failure();
    }

    /**
     * Called for each record that is not a result. Such records are skipped and counted, not dead-lettered: every
     * evaluator reads every result, so each replica would park its own copy.
     */
    public ResultLog onUnreadable(Runnable counter) {
        this.onUnreadable = counter;
        return this;
    }

    /** Waits until every result on the topic now is in the book; fails at once if the log has stopped. */
    public void catchUp(Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> end;
        try (KafkaConsumer<String, byte[]> probe = new KafkaConsumer<>(
                readerConfig("evaluator-result-log-end"), new StringDeserializer(), new ByteArrayDeserializer())) {
            end = probe.endOffsets(KafkaClients.partitions(probe, topic, timeout), timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (!caughtUp(end)) {
                Throwable failure = loop.failure();
                if (failure != null) {
                    throw new IllegalStateException(
                            "the results topic cannot be read: " + failure.getMessage(), failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // a timeout, and so transient: the stream waits and tries again
                    throw new org.apache.kafka.common.errors.TimeoutException(
                            "the results topic was not read to its end within " + timeout);
                }
                progress.wait(
                        Math.max(1, Math.min(200, left / 1_000_000))); // a stopped log notifies nobody: look again soon
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
        loop.close();
    }
}
