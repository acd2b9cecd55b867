package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.CheckpointSearch;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicReader;
import dev.cifarpipeline.model.TrainingCheckpoint;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds a run's latest complete checkpoint on the checkpoints topic (services share no disk, so the topic is
 * where a restarted or moved run finds its state): searches back from the end of the run's partition
 * ({@link CheckpointSearch}), so recovery reads what lies after that checkpoint, not the whole topic. A run no
 * trainer ever took on has no checkpoint, and searching would read its whole partition (other runs' checkpoints,
 * kept forever) for nothing: every owner publishes CLAIMED before it trains, so a run without a single training
 * event is fresh and nothing is read. Called once the run's publisher is open, which has fenced every earlier
 * owner: no event or checkpoint of theirs can appear after this look. Checkpoints that fail verification are
 * skipped and named. A search that makes no progress for {@link #STALL_LIMIT} is a timeout, which the run waits out
 * like any broker outage.
 */
public final class CheckpointRecovery {
    static final Duration STALL_LIMIT = Duration.ofMinutes(1);
    private static final long MAX_CHECKPOINT_BYTES = 1L << 30;

    private CheckpointRecovery() {}

    public static Optional<TrainingCheckpoint> latest(
            Map<String, Object> kafka, PipelineTopics topics, String runId, Consumer<String> log) {
        if (!everClaimed(kafka, topics.trainingEvents(), runId)) {
            log.accept("run " + runId + " has no training event yet: a fresh run, no checkpoint to look for");
            return Optional.empty();
        }
        Optional<VerifiedCheckpoint> found = CheckpointSearch.newest(
                kafka,
                topics.checkpoints(),
                runId,
                m -> true,
                MAX_CHECKPOINT_BYTES,
                STALL_LIMIT,
                "trainer-recovery-" + runId,
                log);
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

    /**
     * Whether any record keyed by the run is on the training events topic (its small, run-keyed partition), committed
     * or not: a false "yes" costs only a search, a false "no" would start a trained run afresh.
     */
    static boolean everClaimed(Map<String, Object> kafka, String eventsTopic, String runId) {
        return TopicReader.anyOfKey(kafka, eventsTopic, runId, "trainer-recovery-events-" + runId, STALL_LIMIT);
    }
}
