package dev.cifarpipeline.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Down once publishing failed (e.g. the broker refused batches past the producer's retries): a restart is
 * the remedy, and a restart resumes where the topic ends.
 */
@Liveness
@ApplicationScoped
public class IngestLiveness implements HealthCheck {
    private final DatasetPublisher publisher;

    public IngestLiveness(DatasetPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public HealthCheckResponse call() {
        IngestStatus s = publisher.status();
        var response = HealthCheckResponse.named("stream-publisher")
                .status(!"FAILED".equals(s.state()))
                .withData("state", s.state());
        if (s.error() != null) {
            response.withData("error", s.error());
        }
        return response.build();
    }
}
