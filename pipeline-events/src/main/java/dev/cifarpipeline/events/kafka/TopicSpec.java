package dev.cifarpipeline.events.kafka;

import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * How a topic is created: its partitions and settings. Each service creates the topics it uses at start when
 * they are missing (whoever comes first), from these definitions, so a topic is never left to the broker's
 * auto-creation with one partition and default limits.
 *
 * @param name       the topic
 * @param partitions partitions: the unit of parallelism for its consumer groups
 * @param configs    topic settings ({@code cleanup.policy}, {@code max.message.bytes}, …)
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {
    /** Room for a batch of 256 images (787 KB) and then some. */
    public static final int BATCH_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
    /** Room for the largest checkpoint chunk a trainer may be configured to write. */
    public static final int CHECKPOINT_MAX_MESSAGE_BYTES = CheckpointRecordCodec.MAX_CHUNK_BYTES + 64 * 1024;

    /** The augmented stream, test set and epoch markers: one partition, the epoch's order is the stream's order. */
    public static TopicSpec stream(String name) {
        return new TopicSpec(name, 1, Map.of("max.message.bytes", String.valueOf(BATCH_MAX_MESSAGE_BYTES)));
    }

    /** Checkpoints, keyed by run: partitions let several evaluators share the scoring, one run's in order. */
    public static TopicSpec checkpoints(String name, int partitions) {
        return new TopicSpec(
                name, partitions, Map.of("max.message.bytes", String.valueOf(CHECKPOINT_MAX_MESSAGE_BYTES)));
    }

    /**
     * Room for the largest record any service may forward to the dead-letter topic (a checkpoint chunk of the
     * largest configurable size) with its reason and origin in headers. Producers that dead-letter allow records
     * this large too: a rejected record that could not be parked would be lost.
     */
    public static final int DEAD_LETTER_MAX_MESSAGE_BYTES = CHECKPOINT_MAX_MESSAGE_BYTES + 64 * 1024;

    /** Records that could not be used, as they were, with the reason: one partition, in the order they were rejected. */
    public static TopicSpec deadLetter(String name) {
        return new TopicSpec(name, 1, Map.of("max.message.bytes", String.valueOf(DEAD_LETTER_MAX_MESSAGE_BYTES)));
    }

    /** Partitions of the checkpoint, result and event topics when a service creates them. */
    public static final int DEFAULT_PARTITIONS = 6;

    /** Run specs, compacted by run id: the latest spec of each run is kept for as long as the topic lives. */
    public static TopicSpec runSpecs(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of("cleanup.policy", "compact"));
    }

    /** Small JSON events keyed by run (results, training events). */
    public static TopicSpec events(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of());
    }

    /** How long {@link #ensure} waits for the broker to show topics it (or another service) has just created. */
    public static final Duration VISIBLE_WITHIN = Duration.ofSeconds(60);

    /**
     * Creates whichever of {@code topics} does not exist yet, then waits until the broker describes each of them
     * with every partition led; returns the names it created. The wait matters: a KRaft broker answers a topic's
     * creation once the controller has committed it, but serves metadata from a cache that catches up a moment
     * later, and a consumer asking in between is told the topic does not exist (an empty partition list).
     */
    public static List<String> ensure(Admin admin, List<TopicSpec> topics) throws InterruptedException {
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot list the broker's topics: " + e.getCause().getMessage(), e.getCause());
        }
        List<String> created = new ArrayList<>();
        for (TopicSpec t : topics) {
            if (existing.contains(t.name())) {
                continue;
            }
            try {
                admin.createTopics(List.of(new NewTopic(t.name(), t.partitions(), (short) -1).configs(t.configs())))
                        .all()
                        .get();
                created.add(t.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // created meanwhile by another service: fine
                    throw new IllegalStateException(
                            "cannot create topic " + t.name() + ": "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
            }
        }
        awaitVisible(admin, topics, VISIBLE_WITHIN);
        return created;
    }

    /** Waits until the broker describes every topic in {@code topics} with all its partitions, each with a leader. */
    static void awaitVisible(Admin admin, List<TopicSpec> topics, Duration timeout) throws InterruptedException {
        List<String> names = topics.stream().map(TopicSpec::name).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        String missing;
        while (true) {
            missing = notYetVisible(admin, names);
            if (missing == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the broker does not show topic " + missing + " within " + timeout + " of its creation");
            }
            Thread.sleep(100);
        }
    }

    /** The first of {@code names} the broker cannot yet describe with a leader for every partition, or null. */
    private static String notYetVisible(Admin admin, List<String> names) throws InterruptedException {
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(names).allTopicNames().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RetriableException) {
                return names.toString() + " (" + e.getCause().getMessage() + ")";
            }
            throw new IllegalStateException(
                    "cannot describe topics " + names + ": " + e.getCause().getMessage(), e.getCause());
        }
        for (String name : names) {
            TopicDescription d = described.get(name);
            if (d == null
                    || d.partitions().isEmpty()
                    || d.partitions().stream()
                            .anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                return name;
            }
        }
        return null;
    }
}
