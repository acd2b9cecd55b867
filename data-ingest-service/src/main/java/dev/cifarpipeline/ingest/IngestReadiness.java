package dev.cifarpipeline.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the dataset validated and the topics exist, and while publishing has not failed. */
@Readiness
@ApplicationScoped
public class IngestReadiness implements HealthCheck {
    private final DatasetPublisher publisher;

    public IngestReadiness(DatasetPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public HealthCheckResponse call() {
        IngestStatus s = publisher.status();
        return HealthCheckResponse.named("dataset-publisher")
                .status(publisher.ready())
                .withData("state", s.state())
                .withData("epoch", s.epoch())
                .build();
    }
}
