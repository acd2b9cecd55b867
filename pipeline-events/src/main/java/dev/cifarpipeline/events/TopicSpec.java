package dev.cifarpipeline.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
        return new TopicSpec(name, partitions, Map.of("max.message.bytes", String.valueOf(CHECKPOINT_MAX_MESSAGE_BYTES)));
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

    /** Creates whichever of {@code topics} does not exist yet; returns the names it created. */
    public static List<String> ensure(Admin admin, List<TopicSpec> topics) throws InterruptedException {
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list the broker's topics: " + e.getCause().getMessage(), e.getCause());
        }
        List<String> created = new ArrayList<>();
        for (TopicSpec t : topics) {
            if (existing.contains(t.name())) {
                continue;
            }
            try {
                admin.createTopics(List.of(new NewTopic(t.name(), t.partitions(), (short) -1).configs(t.configs()))).all().get();
                created.add(t.name());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) { // created meanwhile by another service: fine
                    throw new IllegalStateException("cannot create topic " + t.name() + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
        }
        return created;
    }
}
