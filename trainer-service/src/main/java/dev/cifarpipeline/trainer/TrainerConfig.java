package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.kafka.ServiceAccess;
import dev.cifarpipeline.trainer.training.DivergencePolicy;
import dev.cifarpipeline.trainer.training.RunLimits;
import dev.cifarpipeline.trainer.training.SweepLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of trainer-service, under the {@code trainer.} prefix. What a run trains (preset, model, epochs,
 * overrides) is not here: it comes with each run spec. These are the trainer's own.
 */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
    /** This trainer's name in events and logs; defaults to the host name (the pod name on Kubernetes). */
    Optional<String> id();

    /** Log the mean loss every this many steps (the seed: 100). */
    @WithDefault("100")
    int logEvery();

    /** Bytes per checkpoint chunk record; below Kafka's 1 MB default record limit. */
    @WithDefault("" + CheckpointRecordCodec.DEFAULT_CHUNK_BYTES)
    int checkpointChunkBytes();

    /** Draw a progress bar per run when the trainer's output is a terminal (plain lines go to the log either way). */
    @WithDefault("true")
    boolean progressBar();

    /**
     * Refuse to start unless the PyTorch engine sees a GPU. GPU deployments set it (docker-compose.gpu.yml, the
     * Kubernetes gpu overlay), so a trainer that lost its GPU, or whose image has the CPU build of libtorch, stops
     * at once with a message saying which, instead of training for days on the CPU.
     */
    @WithDefault("false")
    boolean requireGpu();

    /** Sharing runs among trainers. */
    Claims claims();

    /** What one run may ask of this trainer. */
    Limits limits();

    /** Settings under {@code trainer.limits.}: a run spec beyond them is refused naming the key. */
    interface Limits {
        /** Epochs one run may train (the seed's loop is 60). */
        @WithDefault("1000")
        int maxEpochs();

        /** Epochs a run's OneCycle schedule may span (the seed's preset spans 150). */
        @WithDefault("1000")
        int maxScheduleEpochs();

        /** The shortest interval, in steps, of a run's extra checkpoints (each is a whole model published to Kafka). */
        @WithDefault("10")
        int minCheckpointEverySteps();

        /**
         * Runs this trainer trains at once; runs claimed beyond it wait (state WAITING) and start as others end. Each
         * active run holds a model, its optimiser state and a consumer, so the bound is what keeps a flood of
         * submissions from exhausting the trainer's memory. Two, because the heap (1 GiB, {@code jvm.options}) holds a
         * run's checkpoint about three times while it is encoded, chunked and sent (VGG11: 74 MB, so some 220 MB): with
         * eight, four runs reaching an epoch's end together ran a trainer out of heap ({@code bin/bench-sweep} at 1,000
         * images and 9 epochs). On CPUs a second run only shares the same cores; raise it with the heap, for GPUs.
         */
        @WithDefault("2")
        int maxActiveRuns();

        /** Runs one sweep may have ({@code POST /trainer/sweeps}): a search space multiplies quickly. */
        @WithDefault("64")
        int maxSweepRuns();

        /** Epochs all of one sweep's runs may train together, counted before early stopping cuts any. */
        @WithDefault("2000")
        int maxSweepEpochs();
    }

    /** The sweep limits as submissions apply them. */
    default SweepLimits sweepLimits() {
        return new SweepLimits(limits().maxSweepRuns(), limits().maxSweepEpochs());
    }

    /** The run limits as the trainer's runs apply them. */
    default RunLimits runLimits() {
        return new RunLimits(limits().maxEpochs(), limits().maxScheduleEpochs(), limits().minCheckpointEverySteps());
    }

    /** When a run counts as diverged. */
    Divergence divergence();

    /** Settings under {@code trainer.claims.}. */
    interface Claims {
        /**
         * Consumer group of all trainers on the run-spec topic. Must not start with the run group prefix, or
         * ingest would wait for it as if it were a run.
         */
        @WithDefault(ServiceAccess.TRAINER_CLAIMS_GROUP)
        String group();

        /** Partitions of the run-spec topic when this trainer creates it: the most trainers that can hold runs at once. */
        @WithDefault("12")
        int partitions();

        /**
         * How long the broker waits for a silent trainer before its runs move to another; the broker accepts
         * 6 s to 5 min by default.
         */
        @WithDefault("10s")
        Duration sessionTimeout();
    }

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

    default DivergencePolicy divergencePolicy() {
        return new DivergencePolicy(
                divergence().stuckSteps(),
                divergence().tolerance(),
                divergence().stop());
    }

    /** Refuses values that cannot work, naming the key. */
    default void validate() {
        if (limits().maxSweepRuns() < 1 || limits().maxSweepEpochs() < 1) {
            throw new IllegalArgumentException(
                    "trainer.limits.max-sweep-runs and .max-sweep-epochs must be at least 1, " + "got "
                            + limits().maxSweepRuns() + " and " + limits().maxSweepEpochs());
        }
        if (logEvery() < 1) {
            throw new IllegalArgumentException("trainer.log-every must be at least 1, got " + logEvery());
        }
        if (checkpointChunkBytes() < 1024 || checkpointChunkBytes() > CheckpointRecordCodec.MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("trainer.checkpoint-chunk-bytes must be 1024.."
                    + CheckpointRecordCodec.MAX_CHUNK_BYTES + ", got " + checkpointChunkBytes());
        }
        if (claims().partitions() < 1) {
            throw new IllegalArgumentException(
                    "trainer.claims.partitions must be at least 1, got " + claims().partitions());
        }
        if (claims().sessionTimeout().toMillis() < 1000) {
            throw new IllegalArgumentException(
                    "trainer.claims.session-timeout must be at least 1s, got " + claims().sessionTimeout());
        }
        if (limits().maxEpochs() < 1 || limits().maxScheduleEpochs() < 1 || limits().minCheckpointEverySteps() < 1) {
            throw new IllegalArgumentException(
                    "trainer.limits.max-epochs, .max-schedule-epochs and .min-checkpoint-every-steps must "
                            + "be at least 1, got " + limits().maxEpochs() + ", " + limits().maxScheduleEpochs() + ", "
                            + limits().minCheckpointEverySteps());
        }
        if (limits().maxActiveRuns() < 1) {
            throw new IllegalArgumentException(
                    "trainer.limits.max-active-runs must be at least 1, got " + limits().maxActiveRuns());
        }
        divergencePolicy();
    }
}
