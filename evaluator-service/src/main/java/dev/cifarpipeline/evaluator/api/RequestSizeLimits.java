package dev.cifarpipeline.evaluator.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A body limit per route, applied to the declared length before the body is read: one image for {@code /predict},
 * a whole model for {@code /score} (VGG19's safetensors are 80 MB), nothing for the other routes. Quarkus' own
 * limit ({@code quarkus.http.limits.max-body-size}) is one number for every route, and bounds a body sent without a
 * length.
 */
public class RequestSizeLimits {
    static final long PREDICT_BYTES = 1 << 20;
    static final long SCORE_BYTES = 128L << 20;

    @ServerRequestFilter(preMatching = true)
    public Optional<RestResponse<Object>> refuseOversizedBodies(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        long limit = path.startsWith("/evaluator/predict")
                ? PREDICT_BYTES
                : path.startsWith("/evaluator/score") ? SCORE_BYTES : 0;
        long declared = request.getLength();
        if (declared <= limit) {
            return Optional.empty();
        }
        return Optional.of(RestResponse.ResponseBuilder.create(RestResponse.Status.PAYLOAD_TOO_LARGE, (Object)
                        Map.of("error", path + " takes at most " + limit + " bytes; this request declares " + declared))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build());
    }
}
