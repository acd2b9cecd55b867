package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.ImageGeometry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores for Prometheus, labelled by run (and class): the latest scored checkpoint's accuracy, loss, per-class
 * accuracy and confusion counts, the best accuracy so far; scoring time and how long a checkpoint took from the
 * trainer to its score. Gauges follow every result on the topic, so any evaluator replica shows every run; a run of a
 * sweep also has {@link #SWEEP_INFO}.
 */
@ApplicationScoped
public class EvaluatorMetrics {
    /** The dead-letter counter's {@code channel} values: the streams the evaluator reads. */
    public static final String CHECKPOINTS = "checkpoints";

    public static final String TEST_BATCHES = "test-batches";

    /** The series that ties a run to its sweep (label {@code sweep}), for the sweep dashboard's selections. */
    public static final String SWEEP_INFO = "evaluator_run_sweep_info";

    private final MeterRegistry registry;
    /**
     * How many runs have series here (about 120 each, with the per-class and confusion gauges): those whose latest
     * result is oldest are removed beyond it, so the scrape and the registry stay bounded however many runs there were.
     */
    public static final int MAX_RUNS_SHOWN = 100;

    /** Runs with series, least recently observed first; guarded by this. */
    private final Map<String, RunGauges> runs = new LinkedHashMap<>(16, 0.75f, true);

    public EvaluatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A result on the topic (this evaluator's or another's): the run's gauges now show it. */
    public synchronized void observed(EvaluationResult result, double bestAccuracy) {
        RunGauges g = runs.computeIfAbsent(result.runId(), this::register);
        var eldest = runs.keySet().iterator();
        while (runs.size() > MAX_RUNS_SHOWN) {
            String gone = eldest.next();
            eldest.remove();
            forget(gone);
        }
        if (result.sweep() != null && g.sweep == null) {
            g.sweep = result.sweep();
            // an info series: dashboards select a sweep's runs with `and on (run) evaluator_run_sweep_info{sweep=…}`
            Gauge.builder(SWEEP_INFO, () -> 1)
                    .tag("run", result.runId())
                    .tag("sweep", result.sweep())
                    .description("1 for each run of a sweep: which sweep the run belongs to")
                    .register(registry);
        }
        g.accuracy = result.accuracy();
        g.loss = result.meanLoss();
        g.epoch = result.epoch();
        g.best = bestAccuracy;
        for (int c = 0; c < ImageGeometry.CLASSES; c++) {
            Double a = result.perClassAccuracy().get(c);
            g.perClass[c] = a == null ? Double.NaN : a;
            for (int p = 0; p < ImageGeometry.CLASSES; p++) {
                g.confusion[c][p] = result.confusion()[c][p];
            }
        }
    }

    /** A result this evaluator computed and published. */
    public void scored(EvaluationResult result) {
        Counter.builder("evaluator_checkpoints_scored_total")
                .tag("run", result.runId())
                .description("Checkpoints this evaluator scored on the test set")
                .register(registry)
                .increment();
        Timer.builder("evaluator_scoring_seconds")
                .tag("run", result.runId())
                .description("Wall time to score a checkpoint on the whole test set")
                .register(registry)
                .record(Duration.ofNanos((long) (result.scoringSeconds() * 1e9)));
        Timer.builder("evaluator_checkpoint_to_result_seconds")
                .tag("run", result.runId())
                .description("From the trainer taking a checkpoint to its result being published")
                .register(registry)
                .record(Duration.ofMillis(Math.max(0, result.evaluatedAtMillis() - result.checkpointAtMillis())));
    }

    /**
     * A checkpoint reassembled and its SHA-256 verified: how long since the trainer published its manifest (the
     * transport's share of a checkpoint's way to its score; scoring is the rest).
     */
    public void verified(String runId, long createdAtMillis) {
        Timer.builder("evaluator_checkpoint_to_verified_seconds")
                .tag("run", runId)
                .description("From the trainer taking a checkpoint to the evaluator holding it verified")
                .register(registry)
                .record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - createdAtMillis)));
    }

    public void deadLettered(String channel) {
        Counter.builder("pipeline_dead_letter_records_total")
                .tag("service", "evaluator")
                .tag("channel", channel)
                .description("Records sent to the dead-letter topic")
                .register(registry)
                .increment();
    }

    /** A record on the results topic that is not a result: skipped, as every evaluator skips it. */
    public void unreadableResult() {
        unreadableResults().increment();
    }

    private Counter unreadableResults() {
        return Counter.builder("pipeline_unreadable_records_total")
                .tag("service", "evaluator")
                .tag("channel", "evaluation-results")
                .description("Records that are not what their topic holds, skipped by every reader (not dead-lettered)")
                .register(registry);
    }

    /** A verified checkpoint that could not be scored (no test set in time, weights that do not fit, …). */
    public void scoringFailed(String runId) {
        Counter.builder("evaluator_scoring_failures_total")
                .tag("run", runId)
                .description("Checkpoints that verified but could not be scored")
                .register(registry)
                .increment();
    }

    /** A result discarded: the group gave the checkpoint's partition to another evaluator while this one scored it. */
    public void discarded(String runId) {
        Counter.builder("evaluator_results_discarded_total")
                .tag("run", runId)
                .description(
                        "Results discarded because another evaluator took over the checkpoint while this one scored it")
                .register(registry)
                .increment();
    }

    /** Counters that alerts watch exist from the start, at zero, so "no failures" reads 0 rather than no data. */
    public void registerCounters() {
        unreadableResults();
        for (String channel : List.of(CHECKPOINTS, TEST_BATCHES)) {
            Counter.builder("pipeline_dead_letter_records_total")
                    .tag("service", "evaluator")
                    .tag("channel", channel)
                    .description("Records sent to the dead-letter topic")
                    .register(registry);
        }
    }

    /** Removes every series of {@code run}. */
    private void forget(String run) {
        registry.getMeters().stream()
                .filter(m -> run.equals(m.getId().getTag("run")))
                .toList()
                .forEach(registry::remove);
    }

    private RunGauges register(String run) {
        RunGauges g = new RunGauges();
        Counter.builder("evaluator_scoring_failures_total")
                .tag("run", run)
                .description("Checkpoints that verified but could not be scored")
                .register(registry);
        Gauge.builder("evaluator_test_accuracy", g, x -> x.accuracy)
                .tag("run", run)
                .description("Test accuracy (0-1) of the run's latest scored checkpoint")
                .register(registry);
        Gauge.builder("evaluator_test_loss", g, x -> x.loss)
                .tag("run", run)
                .description("Mean test cross-entropy of the run's latest scored checkpoint")
                .register(registry);
        Gauge.builder("evaluator_checkpoint_epoch", g, x -> x.epoch)
                .tag("run", run)
                .description("Epochs trained by the run's latest scored checkpoint")
                .register(registry);
        Gauge.builder("evaluator_best_test_accuracy", g, x -> x.best)
                .tag("run", run)
                .description("Test accuracy (0-1) of the run's best checkpoint so far")
                .register(registry);
        for (int c = 0; c < ImageGeometry.CLASSES; c++) {
            int label = c;
            String name = ImageGeometry.CLASS_NAMES.get(c);
            Gauge.builder("evaluator_class_accuracy", g, x -> x.perClass[label])
                    .tag("run", run)
                    .tag("class", name)
                    .description("Test accuracy (0-1) per class of the run's latest scored checkpoint")
                    .register(registry);
            for (int p = 0; p < ImageGeometry.CLASSES; p++) {
                int predicted = p;
                Gauge.builder("evaluator_confusion_images", g, x -> x.confusion[label][predicted])
                        .tag("run", run)
                        .tag("class", name)
                        .tag("predicted", ImageGeometry.CLASS_NAMES.get(p))
                        .description("Test images of a class by the class predicted, latest scored checkpoint")
                        .register(registry);
            }
        }
        return g;
    }

    private static final class RunGauges {
        volatile String sweep;
        volatile double accuracy = Double.NaN;
        volatile double loss = Double.NaN;
        volatile double epoch;
        volatile double best = Double.NaN;
        final double[] perClass = new double[ImageGeometry.CLASSES];
        final double[][] confusion = new double[ImageGeometry.CLASSES][ImageGeometry.CLASSES];
    }
}
