package dev.cifarpipeline.evaluator.api;

import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.evaluator.EvaluatorNode;
import dev.cifarpipeline.evaluator.results.ResultBook;
import dev.cifarpipeline.evaluator.scoring.Score;
import dev.cifarpipeline.evaluator.scoring.TestSet;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.SeedStateDict;
import dev.cifarpipeline.model.VggInference;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The evaluator over HTTP: runs and their results, each run's best checkpoint (also as safetensors in the seed's
 * names), predictions from a run's best model, and scoring of an uploaded safetensors file.
 */
@Path("/evaluator")
public class EvaluatorResource {
    /** One {@code POST /evaluator/score} at a time, whichever instance of this resource the request reaches. */
    private static final Semaphore SCORING = new Semaphore(1);

    private final EvaluatorNode node;

    public EvaluatorResource(EvaluatorNode node) {
        this.node = node;
    }

    /** Every run's results, in publication order. */
    @GET
    @Path("/results")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, List<EvaluationResult>> results() {
        return node.book().snapshot();
    }

    /** One line per run: results so far, the latest and the best. */
    @GET
    @Path("/runs")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> runs() {
        List<Map<String, Object>> out = new ArrayList<>();
        node.book().snapshot().forEach((run, results) -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("run", run);
            line.put("results", results.size());
            line.put("latest", summary(results.get(results.size() - 1)));
            line.put("best", summary(node.book().best(run).orElseThrow()));
            out.add(line);
        });
        return out;
    }

    @GET
    @Path("/runs/{run}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response run(@PathParam("run") String run) {
        List<EvaluationResult> results = node.book().snapshot().get(run);
        if (results == null) {
            return problem(Response.Status.NOT_FOUND, "no results for run '" + run + "'");
        }
        return Response.ok(Map.of(
                        "run",
                        run,
                        "results",
                        results,
                        "best",
                        node.book().best(run).orElseThrow()))
                .build();
    }

    @GET
    @Path("/runs/{run}/best")
    @Produces(MediaType.APPLICATION_JSON)
    public Response best(@PathParam("run") String run) {
        return node.book()
                .best(run)
                .<Response>map(r -> Response.ok(r).build())
                .orElseGet(() -> problem(Response.Status.NOT_FOUND, "no results for run '" + run + "'"));
    }

    /** The best checkpoint's weights in the seed's state_dict names: {@code VGG11().load_state_dict(safetensors.torch.load_file(...))}. */
    @GET
    @Path("/runs/{run}/best.safetensors")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response bestSafetensors(@PathParam("run") String run) {
        Optional<byte[]> file = node.bestModels().safetensors(run);
        if (file.isEmpty()) {
            return problem(Response.Status.NOT_FOUND, "no results for run '" + run + "'");
        }
        return Response.ok(file.get(), MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"best-" + run + ".safetensors\"")
                .build();
    }

    /**
     * A sweep's standings: each run's best checkpoint, best first, and the winner ({@code SweepStandings}' rule, as in
     * {@code bin/pipeline sweep}'s report).
     */
    @GET
    @Path("/sweeps/{sweep}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response sweep(@PathParam("sweep") String sweep) {
        Map<String, EvaluationResult> bests = node.book().sweepBests(sweep); // one look: the winner is among these
        Optional<EvaluationResult> winner = ResultBook.winner(bests);
        if (winner.isEmpty()) {
            return noSweep(sweep);
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        bests.values().stream()
                .sorted(Comparator.comparingDouble(EvaluationResult::accuracy).reversed())
                .forEach(best -> {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("run", best.runId());
                    line.put("best", summary(best));
                    runs.add(line);
                });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sweep", sweep);
        out.put("winner", winner.get().runId());
        out.put("runs", runs);
        return Response.ok(out).build();
    }

    /** The sweep winner's best weights, as {@code /runs/{run}/best.safetensors} gives a run's. */
    @GET
    @Path("/sweeps/{sweep}/best.safetensors")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response sweepBestSafetensors(@PathParam("sweep") String sweep) {
        Optional<EvaluationResult> winner = node.book().sweepWinner(sweep);
        if (winner.isEmpty()) {
            return noSweep(sweep);
        }
        return bestSafetensors(winner.get().runId());
    }

    /**
     * The ten class probabilities for one 32×32 image (PNG, or 3,072 raw CHW bytes) from a run's best model
     * ({@code ?run=}), or from the best model of a sweep's winner ({@code ?sweep=}).
     */
    @POST
    @Path("/predict")
    @Consumes({ImageInput.PNG, ImageInput.RAW})
    @Produces(MediaType.APPLICATION_JSON)
    public Response predict(
            @QueryParam("run") String run,
            @QueryParam("sweep") String sweep,
            @HeaderParam("Content-Type") String contentType,
            byte[] body) {
        boolean byRun = run != null && !run.isBlank();
        boolean bySweep = sweep != null && !sweep.isBlank();
        if (byRun == bySweep) {
            return problem(
                    Response.Status.BAD_REQUEST,
                    "say whose best model to use, a run's or a sweep's winner's: /evaluator/predict?run=<run id> or "
                            + "/evaluator/predict?sweep=<sweep id>" + (byRun ? ", not both" : ""));
        }
        byte[] chw;
        try {
            chw = ImageInput.decode(body, contentType);
        } catch (IllegalArgumentException e) {
            return problem(Response.Status.BAD_REQUEST, e.getMessage());
        }
        if (bySweep) {
            Optional<EvaluationResult> winner = node.book().sweepWinner(sweep);
            if (winner.isEmpty()) {
                return noSweep(sweep);
            }
            run = winner.get().runId();
        }
        Optional<VggInference> net = node.bestModels().network(run);
        if (net.isEmpty()) {
            return problem(Response.Status.NOT_FOUND, "no results for run '" + run + "'");
        }
        double[] p = node.requestScorer().probabilities(net.get(), chw);
        Map<String, Double> byClass = new LinkedHashMap<>();
        int top = 0;
        for (int c = 0; c < p.length; c++) {
            byClass.put(ImageGeometry.CLASS_NAMES.get(c), p[c]);
            top = p[c] > p[top] ? c : top;
        }
        EvaluationResult best = node.book().best(run).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        if (bySweep) {
            out.put("sweep", sweep);
        }
        out.put("run", run);
        out.put("checkpoint", best.checkpointId());
        out.put("predicted", ImageGeometry.CLASS_NAMES.get(top));
        out.put("probabilities", byClass);
        return Response.ok(out).build();
    }

    private static Response noSweep(String sweep) {
        return problem(Response.Status.NOT_FOUND, "no results for sweep '" + sweep + "'");
    }

    /** Scores an uploaded safetensors file in the seed's names on the test set; publishes nothing. */
    @POST
    @Path("/score")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.APPLICATION_JSON)
    public Response score(
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @QueryParam("model") String model,
            @QueryParam("layout") String layout,
            byte[] body) {
        if (!node.apiAccess().allows(authorization)) {
            return unauthorized(node.apiAccess().refusal("scoring a model")).toResponse();
        }
        ModelSpec spec;
        try {
            spec = ModelSpec.of(model == null ? "vgg11" : model, layout == null ? "seed" : layout);
        } catch (IllegalArgumentException e) {
            return problem(Response.Status.BAD_REQUEST, e.getMessage());
        }
        Optional<TestSet> tests = node.testSet().current();
        if (tests.isEmpty()) {
            return problem(
                    Response.Status.SERVICE_UNAVAILABLE,
                    "the test set has not fully arrived yet: " + node.testSet().progress());
        }
        // one /score at a time: a loop of requests gets 429s instead of a queue, and the stream's scoring its CPU share
        if (!SCORING.tryAcquire()) {
            return busy().toResponse();
        }
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = SeedStateDict.load(spec, body == null ? new byte[0] : body, manager)) {
            Score score = node.requestScorer().score(net, tests.get());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", spec.architecture().id());
            out.put("layout", spec.layout().id());
            out.put("accuracy", score.accuracy());
            out.put("meanLoss", score.meanLoss());
            out.put("testImages", score.images());
            out.put("perClassAccuracy", score.perClassAccuracy());
            out.put("confusion", score.confusion());
            out.put("scoringSeconds", score.seconds());
            return Response.ok(out).build();
        } catch (IllegalArgumentException e) {
            return problem(Response.Status.BAD_REQUEST, e.getMessage());
        } finally {
            SCORING.release();
        }
    }

    /** Whether a {@code /score} is being answered now: {@link ApiGuard} answers 429 before reading another's body. */
    static boolean scoringBusy() {
        return SCORING.availablePermits() == 0;
    }

    static RestResponse<Object> busy() {
        return RestResponse.ResponseBuilder.create(RestResponse.Status.TOO_MANY_REQUESTS, (Object)
                        Map.of("error", "another model is being scored; try again when it is done"))
                .header("Retry-After", "10")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    /** Whether a request path is {@code /evaluator/score}'s, however it is spelled. */
    static boolean isScoring(String path) {
        return path.replaceAll("/+", "/").replaceAll("/$", "").equalsIgnoreCase("/evaluator/score");
    }

    static RestResponse<Object> unauthorized(String reason) {
        return RestResponse.ResponseBuilder.create(RestResponse.Status.UNAUTHORIZED, (Object) Map.of("error", reason))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    private static Map<String, Object> summary(EvaluationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkpoint", r.checkpointId());
        m.put("epoch", r.epoch());
        m.put("step", r.step());
        m.put("accuracy", r.accuracy());
        m.put("meanLoss", r.meanLoss());
        return m;
    }

    private static Response problem(Response.Status status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", message))
                .build();
    }
}
