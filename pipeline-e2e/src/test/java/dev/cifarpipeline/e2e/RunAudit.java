package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.EpochLineage;
import dev.cifarpipeline.testsupport.TopicReads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the topics say about runs, read from Kafka itself, never from the services' own counters: whether runs
 * finished, and that a run trained every batch of every epoch once and had each of its checkpoints scored once.
 */
final class RunAudit {
    private final Map<String, Object> client;

    RunAudit(Map<String, Object> client) {
        this.client = client;
    }

    /** The runs with a FINISHED event among {@code events}. */
    static Set<String> finished(List<ConsumerRecord<String, byte[]>> events) {
        Set<String> out = new HashSet<>();
        events.forEach(r -> {
            try {
                TrainingEvent e = TrainingEvent.fromJson(r.value());
                if (e.type() == TrainingEvent.Type.FINISHED) {
                    out.add(e.runId());
                }
            } catch (RuntimeException notAnEvent) {
                // the hostile-input test writes such records; they say nothing about a run
            }
        });
        return out;
    }

    /**
     * Waits until every run of {@code runs} has finished, or {@code giveUp} says waiting longer is pointless;
     * whether they all finished.
     */
    boolean awaitFinished(Collection<String> runs, Duration timeout, BooleanSupplier giveUp) {
        return finished(TopicReads.readUntil(
                        client,
                        Topics.TRAINING_EVENTS,
                        timeout,
                        read -> finished(read).containsAll(runs) || giveUp.getAsBoolean()))
                .containsAll(runs);
    }

    /** Every checkpoint manifest of {@code run} on the checkpoints topic, each reassembled and verified. */
    List<CheckpointManifest> manifests(String run, int atLeast) {
        CheckpointAssembler assembler = new CheckpointAssembler(8, 1L << 30);
        List<CheckpointManifest> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : TopicReads.readUntilThenDrain(
                client,
                Topics.CHECKPOINTS,
                Duration.ofMinutes(3), // 74 MB a checkpoint, and fenced ones a read_committed reader fetches past
                read -> read.stream()
                                .filter(x -> x.key().equals(run) && x.value()[3] == 'M')
                                .count()
                        >= atLeast)) {
            if (!run.equals(r.key())) {
                continue; // other runs', and records that are no checkpoint at all (the hostile-input test's)
            }
            assembler.accept(CheckpointRecordCodec.decode(r.value())).ifPresent(v -> {
                if (v.manifest().runId().equals(run)) {
                    out.add(v.manifest());
                }
            });
        }
        return out;
    }

    /**
     * Asserts that {@code run}'s final checkpoint trained {@code epochs} epochs of {@code batchesPerEpoch} batches,
     * each batch once (one step per batch, no more), and that every checkpoint the run published has exactly one
     * result on the results topic. Returns the run's checkpoints.
     */
    List<CheckpointManifest> assertTrainedOnceAndScoredOnce(String run, int epochs, int batchesPerEpoch) {
        List<CheckpointManifest> manifests = manifests(run, epochs);
        CheckpointManifest last = manifests.stream()
                .reduce((a, b) -> b.step() > a.step() ? b : a)
                .orElseThrow(() -> new AssertionError("no checkpoint of run " + run));
        assertEquals(epochs, last.epoch(), run + ": epochs in its last checkpoint");
        assertEquals(
                (long) epochs * batchesPerEpoch, last.step(), run + ": one step per batch per epoch, none repeated");
        assertEquals(epochs, last.lineage().size(), run + ": lineage " + last.lineage());
        for (EpochLineage epoch : last.lineage()) {
            assertEquals(batchesPerEpoch, epoch.batchesTrained(), run + " " + epoch);
        }
        Set<String> checkpoints = new HashSet<>();
        manifests.forEach(m -> checkpoints.add(m.checkpointId()));
        List<String> scored = new ArrayList<>();
        TopicReads.readUntilThenDrain(client, Topics.EVALUATION_RESULTS, Duration.ofMinutes(3), read -> {
                    Set<String> ids = new HashSet<>();
                    read.forEach(r -> result(r).ifPresent(result -> ids.add(result.checkpointId())));
                    return ids.containsAll(checkpoints);
                })
                .forEach(r -> result(r)
                        .filter(result -> result.runId().equals(run))
                        .ifPresent(result -> scored.add(result.checkpointId())));
        assertEquals(checkpoints, new HashSet<>(scored), run + ": every checkpoint scored");
        assertEquals(checkpoints.size(), scored.size(), run + ": and none twice: " + scored);
        assertTrue(checkpoints.size() >= epochs, run + ": a checkpoint per epoch at least");
        return manifests;
    }

    /** Asserts that the batch stream holds every batch of every epoch, each once: none lost, none published twice. */
    void assertStreamHoldsEachBatchOnce(int epochs, int batchesPerEpoch) {
        List<ConsumerRecord<String, byte[]>> batches = TopicReads.readUntilThenDrain(
                client, Topics.TRAIN_BATCHES, Duration.ofMinutes(1), read -> read.size() >= epochs * batchesPerEpoch);
        Set<String> distinct = new HashSet<>();
        batches.forEach(r -> {
            AugmentedBatch b = AugmentedBatchCodec.decode(r.value());
            distinct.add(b.epoch() + "/" + b.batchIndex());
        });
        assertEquals(epochs * batchesPerEpoch, distinct.size(), "no batch lost from the stream");
        assertEquals(epochs * batchesPerEpoch, batches.size(), "none published twice (idempotent producer)");
    }

    /** The result a record holds; empty for a record that is not one (the hostile-input test writes such). */
    static Optional<EvaluationResult> result(ConsumerRecord<String, byte[]> record) {
        try {
            return Optional.of(EvaluationResult.fromJson(record.value()));
        } catch (RuntimeException notAResult) {
            return Optional.empty();
        }
    }
}
