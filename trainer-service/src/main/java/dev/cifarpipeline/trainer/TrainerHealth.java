package dev.cifarpipeline.trainer;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health of the trainer: ready once it has joined the trainers' group; live while its claims loop runs. */
public final class TrainerHealth {
    private TrainerHealth() {}

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final TrainerNode node;

        public Ready(TrainerNode node) {
            this.node = node;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("trainer-group")
                    .status(node.ready())
                    .withData("trainer", node.trainerId())
                    .withData("runs", node.runs().size())
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        private final TrainerNode node;

        public Live(TrainerNode node) {
            this.node = node;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("run-claims")
                    .status(node.alive())
                    .withData("problem", node.problem())
                    .build();
        }
    }
}
