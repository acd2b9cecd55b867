package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.TopicReader;
import dev.cifarpipeline.model.TrainingCheckpoint;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds a run's latest complete checkpoint on the checkpoints topic (services share no disk, so the topic is
 * where a restarted or moved run finds its state): reads the topic to its end, reassembles and verifies the run's
 * checkpoints, and keeps the one with the most steps. Checkpoints that fail verification are skipped and named.
 */
public final class CheckpointRecovery {
    private CheckpointRecovery() {}

    public static Optional<TrainingCheckpoint> latest(
            Map<String, Object> kafka, String topic, String runId, Consumer<String> log) {
        CheckpointAssembler assembler = new CheckpointAssembler(4, 1L << 30);
        VerifiedCheckpoint[] best = new VerifiedCheckpoint[1];
        TopicReader.forEach(kafka, topic, "trainer-recovery-" + runId, r -> {
            if (!runId.equals(r.key())) {
                return;
            }
            try {
                Optional<VerifiedCheckpoint> v = assembler.accept(CheckpointRecordCodec.decode(r.value()));
                if (v.isPresent()
                        && (best[0] == null
                                || v.get().manifest().step()
                                        >= best[0].manifest().step())) {
                    best[0] = v.get();
                }
            } catch (RecordFormatException e) {
                log.accept("skipping an unusable checkpoint record at offset " + r.offset() + ": " + e.getMessage());
            }
        });
        if (best[0] == null) {
            return Optional.empty();
        }
        CheckpointManifest m = best[0].manifest();
        if (!TrainingCheckpoint.FORMAT.equals(m.format())) {
            log.accept("latest checkpoint " + m.checkpointId() + " has format " + m.format() + ", not "
                    + TrainingCheckpoint.FORMAT + ": starting the run afresh");
            return Optional.empty();
        }
        log.accept("found checkpoint " + m.checkpointId() + " of run " + runId + ": epoch " + m.epoch() + ", step "
                + m.step());
        return Optional.of(TrainingCheckpoint.decode(best[0].bytes()));
    }
}
