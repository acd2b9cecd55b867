package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.CheckpointRecordCodec;
import dev.cifarpipeline.model.ModelSpec;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Settings of trainer-service, under the {@code trainer.} prefix. A preset supplies the recipe; each optional
 * key, when set, overrides the preset's value.
 */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
    /** Name of the run; also names the consumer group the run reads the batch stream with. */
    @WithDefault("run-1")
    String runId();

    /** The recipe: stable (BatchNorm, schedule sized to the run) or seed (the tutorial exactly). */
    @WithDefault("stable")
    String preset();

    /** Architecture: vgg11, vgg13, vgg16 or vgg19. */
    @WithDefault("vgg11")
    String model();

    /** Epochs to train. */
    @WithDefault("1")
    int epochs();

    /** Overrides the preset's layer layout: batchnorm or seed. */
    Optional<String> layout();

    /** Overrides the epochs the OneCycle schedule spans (the seed: 150; stable: the epochs run). */
    OptionalInt scheduleEpochs();

    /** Overrides OneCycle's peak learning rate (presets: 0.1). */
    OptionalDouble maxLearningRate();

    /** Overrides SGD's weight decay (presets: 5e-4). */
    OptionalDouble weightDecay();

    /** Overrides OneCycle's momentum cycling (presets: on, 0.95 → 0.85 → 0.95, as PyTorch's default). */
    Optional<Boolean> cycleMomentum();

    /** SGD's own momentum, in force when cycling is off (presets: 0, the seed's SGD has none). */
    OptionalDouble momentum();

    /** SGD dampening. */
    @WithDefault("0")
    double dampening();

    /** Nesterov momentum (needs zero dampening). */
    @WithDefault("false")
    boolean nesterov();

    /** Seed of weight initialisation and dropout. */
    @WithDefault("0")
    long seed();

    /** Log the mean loss every this many steps (the seed: 100). */
    @WithDefault("100")
    int logEvery();

    /** Also take a checkpoint every this many steps; 0 checkpoints only at the end of each epoch. */
    @WithDefault("0")
    int checkpointEverySteps();

    /** Bytes per checkpoint chunk record; below Kafka's 1 MB default record limit. */
    @WithDefault("" + CheckpointRecordCodec.DEFAULT_CHUNK_BYTES)
    int checkpointChunkBytes();

    /** When a run counts as diverged. */
    Divergence divergence();

    /** Settings under {@code trainer.divergence.}. */
    interface Divergence {
        /** Consecutive steps with the mean loss within the tolerance of ln 10 that mean divergence. */
        @WithDefault("2000")
        int stuckSteps();

        /** How close to ln 10 counts as stuck. */
        @WithDefault("0.01")
        double tolerance();

        /** Stop the run when it diverges (true) or flag it and go on (false). */
        @WithDefault("true")
        boolean stop();
    }

    /** The settings as a framework-free value: the preset with every override applied. */
    default TrainingSettings toSettings() {
        TrainingPreset preset = TrainingPreset.parse(preset());
        TrainingSettings base = TrainingSettings.of(runId(), preset, model(), epochs(), seed());
        ModelSpec model = layout().map(l -> ModelSpec.of(model(), l)).orElse(base.model());
        return new TrainingSettings(runId(), preset, model, epochs(), scheduleEpochs().orElse(base.scheduleEpochs()),
                maxLearningRate().orElse(base.maxLearningRate()), weightDecay().orElse(base.weightDecay()),
                cycleMomentum().orElse(base.cycleMomentum()), momentum().orElse(base.momentum()), dampening(), nesterov(),
                seed(), logEvery(), new DivergencePolicy(divergence().stuckSteps(), divergence().tolerance(), divergence().stop()),
                checkpointEverySteps());
    }
}
