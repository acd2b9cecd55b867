package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.kafka.ServiceAccess;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of evaluator-service, under the {@code evaluator.} prefix. */
@ConfigMapping(prefix = "evaluator")
public interface EvaluatorConfig {
    /** Test images per inference batch (the seed's test loader uses 100). */
    @WithDefault("100")
    int batchSize();

    /** How long a complete checkpoint waits for the test set to finish arriving before it is dead-lettered. */
    @WithDefault("10m")
    Duration testSetTimeout();

    /** Checkpoints being reassembled at once, at most; the oldest incomplete one is dropped beyond it. */
    @WithDefault("4")
    int maxPendingCheckpoints();

    /** Largest checkpoint accepted, in bytes (VGG19 with BatchNorm is ~160 MB). */
    @WithDefault("536870912")
    long maxCheckpointBytes();

    /** This evaluator's name in logs; defaults to the host name and process id. */
    Optional<String> id();

    /** Consumer group of all evaluators on the checkpoints topic: its partitions are shared among them. */
    @WithDefault(ServiceAccess.EVALUATOR_GROUP)
    String group();

    /** How long the broker waits for a silent (killed) evaluator before its checkpoints go to another. */
    @WithDefault("10s")
    Duration sessionTimeout();

    /** Refuses values that cannot work, naming the key. */
    default void validate() {
        if (batchSize() < 1 || batchSize() > 10_000) {
            throw new IllegalArgumentException("evaluator.batch-size must be 1..10000, got " + batchSize());
        }
        if (maxPendingCheckpoints() < 1) {
            throw new IllegalArgumentException(
                    "evaluator.max-pending-checkpoints must be at least 1, got " + maxPendingCheckpoints());
        }
        if (maxCheckpointBytes() < 1 || maxCheckpointBytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("evaluator.max-checkpoint-bytes must be 1.." + (Integer.MAX_VALUE - 8)
                    + ", got " + maxCheckpointBytes());
        }
        if (sessionTimeout().toMillis() < 1000) {
            throw new IllegalArgumentException(
                    "evaluator.session-timeout must be at least 1s, got " + sessionTimeout());
        }
    }
}
