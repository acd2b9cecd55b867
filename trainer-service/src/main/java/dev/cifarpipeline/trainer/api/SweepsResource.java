package dev.cifarpipeline.trainer.api;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.sweep.SweepSpec;
import dev.cifarpipeline.trainer.TrainerNode;
import dev.cifarpipeline.trainer.cluster.RunSubmitter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sweeps over HTTP. {@code POST /trainer/sweeps} takes a {@link SweepSpec} (a base run spec and a search space),
 * checks it and every run it makes as the trainer would, and submits the runs, which spread over the trainers as any
 * runs do (201 with each run and its values; 400 naming what is wrong; 409 when the sweep exists). {@code POST
 * /trainer/sweeps/{id}/stop} stops every run of the sweep that has not ended (202). Both need the API token.
 */
@Path("/trainer/sweeps")
public class SweepsResource {
    private final TrainerNode node;

    public SweepsResource(TrainerNode node) {
        this.node = node;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response submit(@HeaderParam("Authorization") String authorization, byte[] body)
            throws InterruptedException {
        if (!node.apiAccess().allows(authorization)) {
            return RunsResource.unauthorized(node.apiAccess().refusal("submitting a sweep"));
        }
        try {
            TrainerNode.SweepSubmission submitted = node.submitSweep(SweepSpec.fromJson(body));
            Map<String, Object> entity = new LinkedHashMap<>();
            entity.put("sweepId", submitted.sweepId());
            entity.put("runs", submitted.runs());
            entity.put("alreadySubmitted", submitted.alreadySubmitted());
            return Response.status(Response.Status.CREATED).entity(entity).build();
        } catch (RecordFormatException | IllegalArgumentException e) {
            return RunsResource.problem(Response.Status.BAD_REQUEST, e.getMessage());
        } catch (RunSubmitter.RunExistsException e) {
            return RunsResource.problem(Response.Status.CONFLICT, e.getMessage());
        }
    }

    @POST
    @Path("/{sweepId}/stop")
    @Produces(MediaType.APPLICATION_JSON)
    public Response stop(@HeaderParam("Authorization") String authorization, @PathParam("sweepId") String sweepId) {
        if (!node.apiAccess().allows(authorization)) {
            return RunsResource.unauthorized(node.apiAccess().refusal("stopping a sweep"));
        }
        try {
            RunSubmitter.SweepStop stop = node.stopSweep(sweepId);
            return Response.status(Response.Status.ACCEPTED)
                    .entity(Map.of(
                            "sweepId",
                            stop.sweepId(),
                            "stopping",
                            stop.stopping().stream()
                                    .map(RunSubmitter.StopRequest::runId)
                                    .toList(),
                            "ended",
                            stop.ended()))
                    .build();
        } catch (RunSubmitter.UnknownRunException e) {
            return RunsResource.problem(Response.Status.NOT_FOUND, e.getMessage());
        }
    }
}
