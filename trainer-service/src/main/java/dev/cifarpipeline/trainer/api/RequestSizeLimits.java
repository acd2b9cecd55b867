package dev.cifarpipeline.trainer.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A run spec is a few hundred bytes of JSON: {@code POST /trainer/runs} takes at most {@link #RUN_SPEC_BYTES}, and
 * {@code POST /trainer/sweeps} (a base spec and a search space) as much; no other route takes a body. Applied to the declared length before the body is read; a body sent without a length
 * is bounded by Quarkus' own limit.
 */
public class RequestSizeLimits {
    static final long RUN_SPEC_BYTES = 64 << 10;

    @ServerRequestFilter(preMatching = true)
    public Optional<RestResponse<Object>> refuseOversizedBodies(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        long limit = path.equals("/trainer/runs") || path.equals("/trainer/sweeps") ? RUN_SPEC_BYTES : 0;
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
