package dev.cifarpipeline.evaluator.api;

import dev.cifarpipeline.evaluator.EvaluatorNode;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses {@code POST /evaluator/score} without the pipeline's API token, or while another is being scored (429),
 * before its body (up to a whole model) is read: neither a caller without the token nor a loop of requests makes the
 * evaluator read uploads it will not score. The resource checks both again: this filter only saves the reading.
 */
public class ApiGuard {
    private final EvaluatorNode node;

    public ApiGuard(EvaluatorNode node) {
        this.node = node;
    }

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION)
    public Optional<RestResponse<Object>> refuseWithoutToken(ContainerRequestContext request) {
        if (!request.getMethod().equals("POST")
                || !EvaluatorResource.isScoring(request.getUriInfo().getPath())) {
            return Optional.empty();
        }
        if (!node.apiAccess().allows(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            return Optional.of(EvaluatorResource.unauthorized(node.apiAccess().refusal("scoring a model")));
        }
        // one at a time: a second is refused before its upload (a whole model) is read
        return EvaluatorResource.scoringBusy() ? Optional.of(EvaluatorResource.busy()) : Optional.empty();
    }
}
