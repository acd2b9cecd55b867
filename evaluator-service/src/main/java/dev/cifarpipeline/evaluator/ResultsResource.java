package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.EvaluationResult;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** {@code GET /evaluator/results}: every run and the results of its scored checkpoints. */
@Path("/evaluator/results")
public class ResultsResource {
    private final ResultBook book;

    public ResultsResource(ResultBook book) {
        this.book = book;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, List<EvaluationResult>> results() {
        return book.snapshot();
    }
}
