package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.CheckpointRecordCodec;
import dev.cifarpipeline.model.ModelSpec;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of trainer-service, under the {@code trainer.} prefix. */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
    /** Name of the run; also names the consumer group the run reads the batch stream with. */
    @WithDefault("run-1")
    String runId();

    /** Architecture: vgg11, vgg13, vgg16 or vgg19. */
    @WithDefault("vgg11")
    String model();

    /** Layer layout: batchnorm (stable) or seed (the tutorial's dropout after every conv). */
    @WithDefault("batchnorm")
    String layout();

    /** Epochs to train; the OneCycle schedule is sized to them. */
    @WithDefault("1")
    int epochs();

    /** Peak learning rate of the OneCycle schedule (the seed's max_lr). */
    @WithDefault("0.1")
    double maxLearningRate();

    /** SGD weight decay (the seed's 5e-4). */
    @WithDefault("5e-4")
    double weightDecay();

    /** SGD momentum. */
    @WithDefault("0.9")
    double momentum();

    /** Seed of weight initialisation and dropout. */
    @WithDefault("0")
    long seed();

    /** Log the mean loss every this many steps (the seed: 100). */
    @WithDefault("100")
    int logEvery();

    /** Bytes per checkpoint chunk record; below Kafka's 1 MB default record limit. */
    @WithDefault("" + CheckpointRecordCodec.DEFAULT_CHUNK_BYTES)
    int checkpointChunkBytes();

    /** The settings as a framework-free value; invalid values fail here with the key's meaning in the message. */
    default TrainingSettings toSettings() {
        return new TrainingSettings(runId(), ModelSpec.of(model(), layout()), epochs(), maxLearningRate(), weightDecay(),
                momentum(), seed(), logEvery());
    }
}
