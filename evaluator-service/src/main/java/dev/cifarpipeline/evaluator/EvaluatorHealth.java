package dev.cifarpipeline.evaluator;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health of the evaluator: ready once it has joined the evaluators' group; live while its checkpoint stream runs. */
public final class EvaluatorHealth {
    private EvaluatorHealth() {}

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final EvaluatorNode node;

        public Ready(EvaluatorNode node) {
            this.node = node;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("evaluator-group")
                    .status(node.ready())
                    .withData("evaluator", node.evaluatorId())
                    .withData("testSet", node.testSet().progress())
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        private final EvaluatorNode node;

        public Live(EvaluatorNode node) {
            this.node = node;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("checkpoint-stream")
                    .status(node.alive())
                    .withData("problem", node.problem())
                    .build();
        }
    }
}
