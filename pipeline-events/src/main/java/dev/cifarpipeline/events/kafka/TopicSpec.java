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

    /** The topic setting for how long a record is kept; every topic sets it, none is left to the broker's default. */
    public static final String RETENTION_MS = "retention.ms";
    /** {@link #RETENTION_MS} for a topic whose records are kept for as long as the topic lives. */
    public static final String RETAIN_FOREVER = "-1";
    /**
     * How long the training stream keeps its batches: the one bulky topic (an epoch is 50,000 images, about 150 MB,
     * so 60 epochs about 9 GB) and the only one that is not the runs' state. Ingest runs at most a few epochs ahead
     * of the slowest active run, so a week covers a run stopped or a trainer down for days. The price: a fresh run
     * reads the stream from its start and a resumed one from its checkpoint's offsets, so a run submitted, or
     * resumed, more than a week after the batches it needs were published finds them gone.
     */
    public static final Duration TRAIN_BATCHES_RETENTION = Duration.ofDays(7);

    /**
     * The augmented training stream: one partition, the epoch's order is the stream's order. Kept for {@link
     * #TRAIN_BATCHES_RETENTION}, so the topic does not keep a copy of the training set per epoch forever.
     */
    public static TopicSpec stream(String name) {
        return new TopicSpec(
                name,
                1,
                Map.of(
                        "max.message.bytes",
                        String.valueOf(BATCH_MAX_MESSAGE_BYTES),
                        RETENTION_MS,
                        String.valueOf(TRAIN_BATCHES_RETENTION.toMillis())));
    }

    /**
     * The test set, published once: one partition. Kept forever: every evaluator reads it whole whenever it
     * starts, for as long as there are runs to score, and ingest does not publish it again once it is complete.
     */
    public static TopicSpec testBatches(String name) {
        return new TopicSpec(
                name,
                1,
                Map.of("max.message.bytes", String.valueOf(BATCH_MAX_MESSAGE_BYTES), RETENTION_MS, RETAIN_FOREVER));
    }

    /**
     * Epoch markers, one small record per epoch: one partition, in epoch order. Kept forever: they say where each
     * epoch of the stream starts and what it holds, which trainers check every batch against and ingest resumes from.
     */
    public static TopicSpec epochMarkers(String name) {
        return new TopicSpec(
                name,
                1,
                Map.of("max.message.bytes", String.valueOf(BATCH_MAX_MESSAGE_BYTES), RETENTION_MS, RETAIN_FOREVER));
    }

    /**
     * Checkpoints, keyed by run: partitions let several evaluators share the scoring, one run's in order. Kept
     * forever: with the results they are the runs' only state (a run resumes from its last checkpoint, and the best
     * model is served from them), so the broker's default retention would silently delete trained runs.
     */
    public static TopicSpec checkpoints(String name, int partitions) {
        return new TopicSpec(
                name,
                partitions,
                Map.of(
                        "max.message.bytes",
                        String.valueOf(CHECKPOINT_MAX_MESSAGE_BYTES),
                        RETENTION_MS,
                        RETAIN_FOREVER));
    }

    /**
     * Room for the largest record any service may forward to the dead-letter topic (a checkpoint chunk of the
     * largest configurable size) with its reason and origin in headers. Producers that dead-letter allow records
     * this large too: a rejected record that could not be parked would be lost.
     */
    public static final int DEAD_LETTER_MAX_MESSAGE_BYTES = CHECKPOINT_MAX_MESSAGE_BYTES + 64 * 1024;

    /**
     * Records that could not be used, as they were, with the reason: one partition, in the order they were rejected.
     * Kept forever: a dead letter is the only copy of a rejected record, kept for someone to look at.
     */
    public static TopicSpec deadLetter(String name) {
        return new TopicSpec(
                name,
                1,
                Map.of(
                        "max.message.bytes",
                        String.valueOf(DEAD_LETTER_MAX_MESSAGE_BYTES),
                        RETENTION_MS,
                        RETAIN_FOREVER));
    }

    /** Partitions of the checkpoint, result and event topics when a service creates them. */
    public static final int DEFAULT_PARTITIONS = 6;

    /**
     * Run specs, compacted by run id: the latest spec of each run is kept for as long as the topic lives (retention
     * forever too, stated so that no broker default applies): the trainers' claims read the runs from it.
     */
    public static TopicSpec runSpecs(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of("cleanup.policy", "compact", RETENTION_MS, RETAIN_FOREVER));
    }

    /**
     * Small JSON events keyed by run (results, training events). Kept forever: with the checkpoints they are the
     * runs' only state (the results say which checkpoints are scored and which is best; the run directory is read
     * back from the training events).
     */
    public static TopicSpec events(String name, int partitions) {
        return new TopicSpec(name, partitions, Map.of(RETENTION_MS, RETAIN_FOREVER));
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
