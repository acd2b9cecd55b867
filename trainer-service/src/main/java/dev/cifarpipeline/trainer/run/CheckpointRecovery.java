package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.CheckpointSearch;
import dev.cifarpipeline.model.TrainingCheckpoint;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds a run's latest complete checkpoint on the checkpoints topic (services share no disk, so the topic is
 * where a restarted or moved run finds its state): searches back from the end of the run's partition
 * ({@link CheckpointSearch}), so recovery reads what lies after that checkpoint, not the whole topic. Checkpoints
 * that fail verification are skipped and named. A search that makes no progress for {@link #STALL_LIMIT} is a
 * timeout, which the run waits out like any broker outage.
 */
public final class CheckpointRecovery {
    static final Duration STALL_LIMIT = Duration.ofMinutes(1);
    private static final long MAX_CHECKPOINT_BYTES = 1L << 30;

    private CheckpointRecovery() {}

    public static Optional<TrainingCheckpoint> latest(
            Map<String, Object> kafka, String topic, String runId, Consumer<String> log) {
        Optional<VerifiedCheckpoint> found = CheckpointSearch.newest(
                kafka, topic, runId, m -> true, MAX_CHECKPOINT_BYTES, STALL_LIMIT, "trainer-recovery-" + runId, log);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        CheckpointManifest m = found.get().manifest();
        if (!TrainingCheckpoint.FORMAT.equals(m.format())) {
            log.accept("latest checkpoint " + m.checkpointId() + " has format " + m.format() + ", not "
                    + TrainingCheckpoint.FORMAT + ": starting the run afresh");
            return Optional.empty();
        }
        log.accept("found checkpoint " + m.checkpointId() + " of run " + runId + ": epoch " + m.epoch() + ", step "
                + m.step());
        return Optional.of(TrainingCheckpoint.decode(found.get().bytes()));
    }
}
