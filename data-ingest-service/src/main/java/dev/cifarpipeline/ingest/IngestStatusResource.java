package dev.cifarpipeline.ingest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /ingest/status}: the dataset and how far publishing has got. */
@Path("/ingest/status")
public class IngestStatusResource {
    private final DatasetPublisher publisher;

    public IngestStatusResource(DatasetPublisher publisher) {
        this.publisher = publisher;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public IngestStatus status() {
        return publisher.status();
    }
}
