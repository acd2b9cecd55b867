package dev.cifarpipeline.evaluator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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
}
