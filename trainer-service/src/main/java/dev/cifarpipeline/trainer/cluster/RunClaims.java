package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.kafka.KafkaClients;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A trainer's membership of the trainers' consumer group on the run-spec topic. The group divides the
 * partitions among live trainers; a partition's owner trains the runs in it. On each assignment the new
 * partitions are read from their start (the specs are the topic's whole content, compacted by run id). The
 * cooperative-sticky assignor moves only the partitions that must move, and a partition reaches its new owner
 * only after the old one gave it up, which here means after its runs checkpointed: a run never has two owners,
 * and a killed trainer's runs move once the broker stops hearing from it (the session timeout).
 */
public final class RunClaims implements Runnable, AutoCloseable {
    /** Where claimed specs go. */
    public interface Host {
        /** A spec in a partition this trainer owns; {@code terminal}: the run already finished or stopped. */
        void claim(int partition, RunSpec spec, boolean terminal);

        /** Partitions taken away: stop their runs, after a checkpoint unless the claim is already lost. */
        void release(Collection<Integer> partitions, boolean checkpoint);
    }

    /** What to do with a spec record that is not a usable run spec. */
    public interface Rejects {
        void reject(ConsumerRecord<String, byte[]> record, String reason);
    }

    private final Map<String, Object> kafka;
    private final String specTopic;
    private final String groupId;
    private final Duration sessionTimeout;
    private final String trainerId;
    private final Host host;
    private final Rejects rejects;
    private final java.util.function.Supplier<Set<String>> endedRuns;
    private final java.util.function.Consumer<RunSpec> validate;
    private final Consumer<String> log;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean closed;
    private volatile boolean joined;
    private volatile Throwable failure;
    private Thread thread;
    /** Per partition, the offset below which specs were handled before (by any trainer): rejects are not repeated. */
    private final Map<Integer, Long> handledBefore = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param endedRuns the runs that have ended for good (finished or stopped), read from the run events
     * @param validate throws {@link IllegalArgumentException} naming what is wrong with a spec
     */
    public RunClaims(Map<String, Object> kafka, String specTopic, String groupId, Duration sessionTimeout, String trainerId, Host host,
                     Rejects rejects, java.util.function.Supplier<Set<String>> endedRuns, java.util.function.Consumer<RunSpec> validate,
                     Consumer<String> log) {
        this.kafka = kafka;
        this.specTopic = specTopic;
        this.groupId = groupId;
        this.sessionTimeout = sessionTimeout;
        this.trainerId = trainerId;
        this.host = host;
        this.rejects = rejects;
        this.endedRuns = endedRuns;
        this.validate = validate;
        this.log = log;
    }

    public synchronized void start() {
        thread = new Thread(this, "run-claims");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        Map<String, Object> config = KafkaClients.groupMember(kafka, groupId, trainerId + "-claims", sessionTimeout, true);
        // Releasing runs (a step, then a checkpoint) happens inside poll(): allow it the time it needs.
        config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(10).toMillis());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(List.of(specTopic), new Listener(c));
            while (!closed) {
                try {
                    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                    handle(records);
                    if (!records.isEmpty()) {
                        c.commitSync(); // marks these specs handled, so a later owner does not dead-letter a bad one again
                    }
                } catch (WakeupException e) {
                    // close() asked us to leave; the loop condition says so
                }
            }
            // Closing the consumer revokes every owned partition (the listener releases their runs, with checkpoints)
            // and leaves the group, so the other trainers take the runs over at once rather than after a timeout.
        } catch (RuntimeException | Error e) {
            failure = e;
            log.accept("run claims stopped: " + e);
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        Set<String> ended = records.isEmpty() ? Set.of() : endedRuns.get(); // read once per batch of specs
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.value() == null) {
                continue; // a tombstone only lets compaction forget a run; nothing to start
            }
            RunSpec spec;
            try {
                spec = RunSpec.fromJson(r.value());
                validate.accept(spec);
                if (r.key() != null && !r.key().equals(spec.runId())) {
                    throw new RecordFormatException("run spec keyed '" + r.key() + "' describes run '" + spec.runId()
                            + "': the key must be the run id, or compaction would keep the wrong spec");
                }
            } catch (RecordFormatException | IllegalArgumentException e) {
                if (r.offset() < handledBefore.getOrDefault(r.partition(), 0L)) {
                    continue; // dead-lettered already, by whichever trainer owned the partition then
                }
                String where = r.topic() + "-" + r.partition() + "@" + r.offset();
                log.accept("run spec at " + where + " rejected, sent to the dead-letter topic: " + e.getMessage());
                rejects.reject(r, e.getMessage());
                continue;
            }
            host.claim(r.partition(), spec, ended.contains(spec.runId()));
        }
    }

    /** Whether this trainer has joined the group and received its first assignment. */
    public boolean joined() {
        return joined && !closed && failure == null;
    }

    public Throwable failure() {
        return failure;
    }

    public boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive() && failure == null;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            t.join(Duration.ofMinutes(3).toMillis());
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> consumer;

        Listener(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joined = true;
            if (!partitions.isEmpty()) {
                consumer.committed(new java.util.HashSet<>(partitions)).forEach((tp, committed) ->
                        handledBefore.put(tp.partition(), committed == null ? 0L : committed.offset()));
                consumer.seekToBeginning(partitions);
                log.accept("trainer " + trainerId + " now also owns run-spec partitions " + partitions.stream().map(TopicPartition::partition).sorted().toList()
);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.accept("trainer " + trainerId + " gives up run-spec partitions " + partitions.stream().map(TopicPartition::partition).sorted().toList());
                host.release(partitions.stream().map(TopicPartition::partition).toList(), true);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.accept("trainer " + trainerId + " LOST run-spec partitions " + partitions.stream().map(TopicPartition::partition).sorted().toList()
                        + " (out of the group too long); their runs stop without writing");
                host.release(partitions.stream().map(TopicPartition::partition).toList(), false);
            }
        }
    }
}
