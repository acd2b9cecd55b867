package dev.cifarpipeline.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cifarpipeline.events.EvaluationResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class EvaluatorMetricsTest {
    private static EvaluationResult result(String run, String sweep, String checkpoint) {
        return TestResults.of(run, sweep, checkpoint, 0.5);
    }

    @Test
    void aRunOfASweepIsTiedToItOnceAndARunOfItsOwnIsNot() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EvaluatorMetrics metrics = new EvaluatorMetrics(registry);
        metrics.observed(result("s-1", "s", "a"), 0.5);
        metrics.observed(result("s-1", "s", "b"), 0.5);
        metrics.observed(result("alone", null, "c"), 0.5);
        assertEquals(
                1, registry.find(EvaluatorMetrics.SWEEP_INFO).gauges().size(), "one series for the one run of a sweep");
        assertEquals(
                1.0,
                registry.get(EvaluatorMetrics.SWEEP_INFO)
                        .tag("run", "s-1")
                        .tag("sweep", "s")
                        .gauge()
                        .value());
        assertNull(
                registry.find(EvaluatorMetrics.SWEEP_INFO).tag("run", "alone").gauge());
    }

    @Test
    void theSweepSeriesGoesWithItsRunBeyondTheRunsShown() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EvaluatorMetrics metrics = new EvaluatorMetrics(registry);
        metrics.observed(result("s-1", "s", "first"), 0.5);
        for (int i = 0; i < EvaluatorMetrics.MAX_RUNS_SHOWN; i++) {
            metrics.observed(result("r" + i, null, "c" + i), 0.5);
        }
        assertNull(registry.find(EvaluatorMetrics.SWEEP_INFO).gauge());
        assertNull(registry.find("evaluator_test_accuracy").tag("run", "s-1").gauge());
    }
}
