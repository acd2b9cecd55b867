package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.EvaluationResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Scores for Prometheus: the latest checkpoint's accuracy and loss per run. */
@ApplicationScoped
public class EvaluatorMetrics {
    private final MeterRegistry registry;
    private final Map<String, RunGauges> runs = new ConcurrentHashMap<>();

    public EvaluatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void scored(EvaluationResult result) {
        RunGauges g = runs.computeIfAbsent(result.runId(), this::register);
        g.accuracy = result.accuracy();
        g.loss = result.meanLoss();
        g.epoch = result.epoch();
        Counter.builder("evaluator_checkpoints_scored_total").tag("run", result.runId())
                .description("Checkpoints scored on the test set").register(registry).increment();
        Timer.builder("evaluator_scoring_seconds").tag("run", result.runId())
                .description("Wall time to score a checkpoint on the whole test set").register(registry)
                .record(Duration.ofNanos((long) (result.scoringSeconds() * 1e9)));
    }

    public void deadLettered(String channel) {
        Counter.builder("pipeline_dead_letter_records_total").tag("service", "evaluator").tag("channel", channel)
                .description("Records sent to the dead-letter topic").register(registry).increment();
    }

    private RunGauges register(String run) {
        RunGauges g = new RunGauges();
        Gauge.builder("evaluator_test_accuracy", g, x -> x.accuracy).tag("run", run)
                .description("Test accuracy (0-1) of the run's latest scored checkpoint").register(registry);
        Gauge.builder("evaluator_test_loss", g, x -> x.loss).tag("run", run)
                .description("Mean test cross-entropy of the run's latest scored checkpoint").register(registry);
        Gauge.builder("evaluator_checkpoint_epoch", g, x -> x.epoch).tag("run", run)
                .description("Epochs trained by the run's latest scored checkpoint").register(registry);
        return g;
    }

    private static final class RunGauges {
        volatile double accuracy = Double.NaN;
        volatile double loss = Double.NaN;
        volatile double epoch;
    }
}
