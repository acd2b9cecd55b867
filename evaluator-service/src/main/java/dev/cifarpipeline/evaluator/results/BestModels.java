package dev.cifarpipeline.evaluator.results;

import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.evaluator.scoring.CheckpointEvaluator;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.CheckpointSearch;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.SeedStateDict;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.model.VggInference;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Each run's best checkpoint (by the {@link ResultBook}), ready to use: its weights, kept when this evaluator
 * scored it and otherwise fetched once from the checkpoints topic (after a restart, or when another evaluator
 * scored it), a loaded network for predictions, and its safetensors export in the seed's names.
 */
public final class BestModels implements AutoCloseable {
    /**
     * How many runs' best weights are held (a VGG11's are 37 MB): those of runs asked about or scored longest ago are
     * let go, and fetched again from Kafka when asked for.
     */
    public static final int MAX_HELD = 4;

    static final Duration FETCH_STALL_LIMIT = Duration.ofMinutes(1);

    /** The best checkpoint of a run, loaded. */
    public record Best(EvaluationResult result, ModelSpec spec, byte[] weights) {}

    private final ResultBook book;
    private final Map<String, Object> kafka;
    private final String checkpointTopic;
    private final long maxCheckpointBytes;
    private final NDManager manager = NDManager.newBaseManager();
    /** The best models held, most recently used last; beyond {@link #MAX_HELD} the least recent is let go. */
    private final Map<String, Best> held = new LinkedHashMap<>(16, 0.75f, true);

    private final Map<String, VggInference> loaded = new HashMap<>();

    public BestModels(ResultBook book, Map<String, Object> kafka, String checkpointTopic, long maxCheckpointBytes) {
        this.book = book;
        this.kafka = kafka;
        this.checkpointTopic = checkpointTopic;
        this.maxCheckpointBytes = maxCheckpointBytes;
    }

    /** Keeps a checkpoint this evaluator just scored if it is its run's best so far (the book already holds its result). */
    public synchronized void offer(CheckpointEvaluator.Evaluated scored) {
        EvaluationResult r = scored.result();
        if (book.best(r.runId())
                .map(b -> b.checkpointId().equals(r.checkpointId()))
                .orElse(false)) {
            hold(new Best(r, scored.spec(), scored.weights()));
        }
    }

    /** The run's best checkpoint, fetched from Kafka if this evaluator does not hold it; empty for a run without results. */
    public synchronized Optional<Best> best(String runId) {
        Optional<EvaluationResult> best = book.best(runId);
        if (best.isEmpty()) {
            return Optional.empty();
        }
        Best current = held.get(runId);
        if (current == null
                || !current.result().checkpointId().equals(best.get().checkpointId())) {
            current = fetch(best.get());
            hold(current);
        }
        return Optional.of(current);
    }

    private void hold(Best best) {
        String runId = best.result().runId();
        held.put(runId, best);
        unload(runId);
        var eldest = held.keySet().iterator();
        while (held.size() > MAX_HELD) {
            String gone = eldest.next();
            eldest.remove();
            unload(gone);
        }
    }

    private void unload(String runId) {
        VggInference stale = loaded.remove(runId);
        if (stale != null) {
            stale.close();
        }
    }

    /** The run's best network, loaded once per best checkpoint. */
    public synchronized Optional<VggInference> network(String runId) {
        Optional<Best> best = best(runId);
        if (best.isEmpty()) {
            return Optional.empty();
        }
        VggInference net = loaded.get(runId);
        if (net == null) {
            net = VggInference.fromWeights(best.get().spec(), best.get().weights(), manager);
            loaded.put(runId, net);
        }
        return Optional.of(net);
    }

    /** The run's best weights as safetensors in the seed's state_dict names, with the run and checkpoint as metadata. */
    public synchronized Optional<byte[]> safetensors(String runId) {
        Optional<Best> best = best(runId);
        if (best.isEmpty()) {
            return Optional.empty();
        }
        EvaluationResult r = best.get().result();
        VggInference net = network(runId).orElseThrow();
        return Optional.of(SeedStateDict.export(
                net.block(),
                Map.of(
                        "run",
                        r.runId(),
                        "checkpoint",
                        r.checkpointId(),
                        "model",
                        r.model(),
                        "layout",
                        r.layout(),
                        "epoch",
                        Integer.toString(r.epoch()),
                        "step",
                        Long.toString(r.step()),
                        "test_accuracy",
                        Double.toString(r.accuracy()),
                        "format",
                        "pt"),
                r.step()));
    }

    private Best fetch(EvaluationResult result) {
        VerifiedCheckpoint found = CheckpointSearch.newest(
                        kafka,
                        checkpointTopic,
                        result.runId(),
                        m -> m.checkpointId().equals(result.checkpointId()),
                        maxCheckpointBytes,
                        FETCH_STALL_LIMIT,
                        "evaluator-best-" + result.runId(),
                        line -> {})
                .orElseThrow(() -> new IllegalStateException("checkpoint " + result.checkpointId() + " of run "
                        + result.runId() + " is no longer on " + checkpointTopic + " (retention?)"));
        return new Best(
                result,
                ModelSpec.of(result.model(), result.layout()),
                TrainingCheckpoint.decode(found.bytes()).weights());
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(VggInference::close);
        loaded.clear();
        manager.close();
    }
}
