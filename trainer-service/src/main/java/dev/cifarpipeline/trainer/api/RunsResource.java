package dev.cifarpipeline.trainer.api;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.trainer.TrainerNode;
import dev.cifarpipeline.trainer.cluster.RunSubmitter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;

/**
 * Runs over HTTP. {@code POST /trainer/runs} takes a run spec as JSON (every key optional; a run id is made up
 * when absent), checks it as the trainer would, and puts it on the run-spec topic, where the trainers' group
 * gives it to one trainer; any replica accepts submissions. {@code GET /trainer/runs} lists the runs this
 * replica trains. Submitting and stopping need the pipeline's API token ({@link
 * dev.cifarpipeline.events.access.ApiAccess}): {@code Authorization: Bearer <token>}.
 */
@Path("/trainer/runs")
public class RunsResource {
    private final TrainerNode node;

    public RunsResource(TrainerNode node) {
        this.node = node;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> list() {
        return Map.of("trainer", node.trainerId(), "runs", node.runs());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response submit(@HeaderParam("Authorization") String authorization, byte[] body)
            throws InterruptedException {
        if (!node.apiAccess().allows(authorization)) {
            return unauthorized(node.apiAccess().refusal("submitting a run"));
        }
        RunSpec spec;
        try {
            spec = RunSpec.fromJson(withRunId(body));
        } catch (RecordFormatException e) {
            return problem(Response.Status.BAD_REQUEST, e.getMessage());
        }
        if (spec.sweep() != null || spec.ashaEta() != null) {
            return problem(
                    Response.Status.BAD_REQUEST,
                    "run spec " + spec.runId() + ": sweep and ashaEta are set by POST /trainer/sweeps, which names "
                            + "and stops a sweep's runs as a whole");
        }
        try {
            RunSubmitter.Placement placed = node.submit(spec);
            return Response.status(Response.Status.CREATED)
                    .entity(Map.of(
                            "runId",
                            placed.runId(),
                            "partition",
                            placed.partition(),
                            "trainer",
                            placed.trainer(),
                            "spec",
                            spec))
                    .build();
        } catch (RunSubmitter.RunExistsException e) {
            return problem(Response.Status.CONFLICT, e.getMessage());
        } catch (IllegalArgumentException e) {
            return problem(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * Stops a run wherever it trains: the owning trainer checkpoints it and publishes STOPPED; it is not trained
     * again. 202 with where the request went; 404 for an unknown run; 409 for a run that has ended.
     */
    @POST
    @Path("/{runId}/stop")
    @Produces(MediaType.APPLICATION_JSON)
    public Response stop(@HeaderParam("Authorization") String authorization, @PathParam("runId") String runId) {
        if (!node.apiAccess().allows(authorization)) {
            return unauthorized(node.apiAccess().refusal("stopping a run"));
        }
        try {
            RunSubmitter.StopRequest stop = node.stop(runId);
            return Response.status(Response.Status.ACCEPTED)
                    .entity(Map.of(
                            "runId",
                            stop.runId(),
                            "partition",
                            stop.partition(),
                            "stopRequestedAtMillis",
                            stop.requestedAtMillis(),
                            "alreadyRequested",
                            stop.already()))
                    .build();
        } catch (RunSubmitter.UnknownRunException e) {
            return problem(Response.Status.NOT_FOUND, e.getMessage());
        } catch (RunSubmitter.RunExistsException e) {
            return problem(Response.Status.CONFLICT, e.getMessage());
        }
    }

    static Response unauthorized(String reason) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header("WWW-Authenticate", "Bearer")
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", reason))
                .build();
    }

    static Response problem(Response.Status status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", message))
                .build();
    }

    /** The body with a generated {@code runId} when it has none: {@code run-20261128-104500-1a2b}. */
    private static byte[] withRunId(byte[] body) {
        String json = body == null ? "" : new String(body, StandardCharsets.UTF_8).trim();
        if (json.isEmpty()) {
            json = "{}";
        }
        if (json.startsWith("{") && !json.contains("\"runId\"")) {
            String id = "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                    + UUID.randomUUID().toString().substring(0, 4);
            String rest = json.substring(1).trim();
            json = "{\"runId\":\"" + id + "\"" + (rest.equals("}") ? "}" : "," + rest);
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
