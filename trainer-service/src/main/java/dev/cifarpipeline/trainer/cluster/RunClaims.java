package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.kafka.ConsumerLoop;
import dev.cifarpipeline.events.kafka.GroupMembership;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.trainer.run.ClaimCheck;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;

/**
 * A trainer's membership of the trainers' consumer group on the run-spec topic. The group divides the
 * partitions among live trainers; a partition's owner trains the runs in it. On each assignment the new
 * partitions are read from their start (the specs are the topic's whole content, compacted by run id). The
 * cooperative-sticky assignor moves only the partitions that must move, and a partition reaches its new owner
 * only after the old one gave it up, which here means after its runs checkpointed: a run never has two owners,
 * and a killed trainer's runs move once the broker stops hearing from it (the session timeout).
 */
public final class RunClaims implements AutoCloseable {
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

    private final String specTopic;
    private final String groupId;
    private final String trainerId;
    private final Host host;
    private final Rejects rejects;
    private final Supplier<Set<String>> endedRuns;
    private final Consumer<RunSpec> validate;
    private final Consumer<String> log;
    private final ConsumerLoop loop;
    private volatile boolean joined;
    /** This trainer's member id in the group, as of its latest assignment; empty before one and once lost. */
    private volatile String memberId = "";
    /** Per partition, the offset below which specs were handled before (by any trainer): rejects are not repeated. */
    private final Map<Integer, Long> handledBefore = new ConcurrentHashMap<>();

    /**
     * @param endedRuns the runs that have ended for good (finished or stopped), read from the run events
     * @param validate throws {@link IllegalArgumentException} naming what is wrong with a spec
     */
    public RunClaims(
            Map<String, Object> kafka,
            String specTopic,
            GroupMembership membership,
            String trainerId,
            Host host,
            Rejects rejects,
            Supplier<Set<String>> endedRuns,
            Consumer<RunSpec> validate,
            Consumer<String> log) {
        this.specTopic = specTopic;
        this.groupId = membership.groupId();
        this.trainerId = trainerId;
        this.host = host;
        this.rejects = rejects;
        this.endedRuns = endedRuns;
        this.validate = validate;
        this.log = log;
        Map<String, Object> config = membership.config(kafka);
        // Releasing runs (a step, then a checkpoint) happens inside poll(): allow it the time it needs.
        config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int)
                Duration.ofMinutes(10).toMillis());
        // Closing the loop closes the consumer, which revokes every owned partition (the listener releases their runs,
        // with checkpoints) and leaves the group, so the other trainers take the runs over at once, not after a
        // timeout.
        this.loop = new ConsumerLoop(
                "run-claims",
                config,
                Duration.ofMillis(500),
                new ConsumerLoop.Body() {
                    @Override
                    public void open(KafkaConsumer<String, byte[]> consumer) {
                        consumer.subscribe(List.of(specTopic), new Listener(consumer));
                    }

                    @Override
                    public void polled(
                            KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
                        handle(records);
                        if (!records.isEmpty()) {
                            // Marks these specs handled, so a later owner does not dead-letter a bad one again. A
                            // refused commit (a rebalance under way) only means the next owner reads them once more.
                            try {
                                consumer.commitSync();
                            } catch (CommitFailedException | RebalanceInProgressException e) {
                                log.accept("trainer " + trainerId + " could not commit its run-spec positions ("
                                        + e.getMessage() + "); the partitions' next owner reads those specs again");
                            }
                        }
                    }

                    @Override
                    public void recover(KafkaConsumer<String, byte[]> consumer) {
                        // A spec whose handling failed (the broker gone past a timeout), or an assignment whose
                        // callback did, is read again with every spec of its partitions, as on any assignment:
                        // claiming and stopping are idempotent.
                        consumer.seekToBeginning(consumer.assignment());
                    }
                },
                log);
    }

    public void start() {
        loop.start();
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

    /**
     * Asks the group coordinator, each time it is called, whether the group as it stands gives run-spec partition
     * {@code partition} to this trainer's current membership. Only a stable group answers: while it rebalances (or
     * the broker is away) the answer is {@link ClaimCheck.Answer#UNSETTLED}.
     */
    public ClaimCheck owner(int partition, Admin admin) {
        TopicPartition specs = new TopicPartition(specTopic, partition);
        return () -> {
            String me = memberId;
            if (me.isEmpty()) {
                return ClaimCheck.Answer.UNSETTLED;
            }
            ConsumerGroupDescription group;
            try {
                group = admin.describeConsumerGroups(List.of(groupId))
                        .describedGroups()
                        .get(groupId)
                        .get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                return ClaimCheck.Answer.UNSETTLED;
            } catch (ExecutionException e) {
                if (!KafkaClients.transientFailure(e.getCause())) {
                    // refused, not unreachable (an authorization, say): asking again would never settle it
                    throw new IllegalStateException(
                            "trainer " + trainerId + " cannot describe group " + groupId + ": " + e.getCause(), e);
                }
                log.accept("trainer " + trainerId + " cannot describe group " + groupId + ": " + e.getMessage());
                return ClaimCheck.Answer.UNSETTLED;
            }
            if (group.groupState() != GroupState.STABLE) {
                return ClaimCheck.Answer.UNSETTLED;
            }
            for (MemberDescription member : group.members()) {
                if (member.assignment().topicPartitions().contains(specs)) {
                    return member.consumerId().equals(me) ? ClaimCheck.Answer.HELD : ClaimCheck.Answer.LOST;
                }
            }
            // a stable group that gives the partition to nobody, or no longer counts this trainer: not ours
            return ClaimCheck.Answer.LOST;
        };
    }

    /** Whether this trainer has joined the group and received its first assignment. */
    public boolean joined() {
        return joined && !loop.closed() && loop.failure() == null;
    }

    public Throwable failure() {
        return loop.failure();
    }

    public boolean alive() {
        return loop.alive();
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
    }

    private final class Listener implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> consumer;

        Listener(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            memberId = consumer.groupMetadata().memberId();
            joined = true;
            if (!partitions.isEmpty()) {
                consumer.seekToBeginning(partitions);
                try {
                    consumer.committed(new HashSet<>(partitions))
                            .forEach((tp, committed) ->
                                    handledBefore.put(tp.partition(), committed == null ? 0L : committed.offset()));
                } catch (KafkaException e) {
                    // not known now: a bad spec of these partitions may be dead-lettered a second time, no more
                    log.accept("trainer " + trainerId + " cannot read its run-spec positions (" + e.getMessage() + ")");
                }
                log.accept("trainer " + trainerId + " now also owns run-spec partitions "
                        + partitions.stream()
                                .map(TopicPartition::partition)
                                .sorted()
                                .toList());
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                log.accept("trainer " + trainerId + " gives up run-spec partitions "
                        + partitions.stream()
                                .map(TopicPartition::partition)
                                .sorted()
                                .toList());
                host.release(partitions.stream().map(TopicPartition::partition).toList(), true);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            memberId = ""; // out of the group: no claim of this trainer's stands until it is assigned again
            if (!partitions.isEmpty()) {
                log.accept("trainer " + trainerId + " LOST run-spec partitions "
                        + partitions.stream()
                                .map(TopicPartition::partition)
                                .sorted()
                                .toList() + " (out of the group too long); their runs stop without writing");
                host.release(partitions.stream().map(TopicPartition::partition).toList(), false);
            }
        }
    }
}
