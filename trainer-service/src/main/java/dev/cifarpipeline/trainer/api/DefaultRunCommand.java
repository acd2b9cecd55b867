package dev.cifarpipeline.trainer.api;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.access.ApiAccess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Submits the run a deployment starts with (compose's {@code default-run} service): {@code PIPELINE_RUN}, run-spec
 * {@code key=value} pairs or {@code off}, to the trainers at {@code TRAINER_URL}, with the pipeline's API token
 * ({@code PIPELINE_API_TOKEN}, or the file {@code PIPELINE_API_TOKEN_FILE} names). It waits for a trainer to answer ({@code TRAINER_WAIT_SECONDS}, default 600). A run id that is
 * taken is left as it is: the trainers carry that run on from its checkpoint, so submitting again after a restart
 * is harmless. Exit status 0 when the run was submitted or was there already, 1 when it was refused or no trainer
 * answered, 2 for a spec that does not parse.
 */
public final class DefaultRunCommand {
    private DefaultRunCommand() {}

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(System.getenv(), System.out));
    }

    static int run(Map<String, String> env, PrintStream out) throws InterruptedException {
        String assignments = env.getOrDefault("PIPELINE_RUN", "").trim();
        if (assignments.isEmpty() || assignments.equals("off")) {
            out.println(
                    "default-run: PIPELINE_RUN is " + (assignments.isEmpty() ? "empty" : "off") + ": no run submitted");
            return 0;
        }
        RunSpec spec;
        try {
            spec = RunSpec.fromAssignments(assignments);
        } catch (RecordFormatException e) {
            out.println("default-run: PIPELINE_RUN '" + assignments + "' is not a run spec: " + e.getMessage());
            return 2;
        }
        URI runs = URI.create(
                env.getOrDefault("TRAINER_URL", "http://trainer-service:8082").replaceAll("/+$", "") + "/trainer/runs");
        Optional<String> token;
        try {
            token = ApiAccess.configuredToken(ApiAccess.environment(env));
        } catch (RuntimeException e) {
            out.println("default-run: " + e.getMessage());
            return 1;
        }
        long deadline = System.nanoTime()
                + Duration.ofSeconds(Long.parseLong(env.getOrDefault("TRAINER_WAIT_SECONDS", "600")))
                        .toNanos();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(runs)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(spec.toJson()));
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        String waitingFor = "";
        while (true) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                switch (response.statusCode()) {
                    case 201 -> {
                        out.println("default-run: submitted run " + spec.runId() + ": " + response.body());
                        return 0;
                    }
                    case 409 -> {
                        out.println("default-run: run " + spec.runId() + " is there already, left as it is ("
                                + response.body() + "). Give PIPELINE_RUN another runId for a new run.");
                        return 0;
                    }
                    case 502, 503, 504 -> waitingFor = runs + " answers " + response.statusCode();
                    default -> {
                        out.println("default-run: " + runs + " refused run " + spec.runId() + ": "
                                + response.statusCode() + " " + response.body());
                        return 1;
                    }
                }
            } catch (IOException e) {
                waitingFor = runs + " does not answer (" + e + ")";
            }
            if (System.nanoTime() > deadline) {
                out.println("default-run: gave up: " + waitingFor);
                return 1;
            }
            Thread.sleep(2000);
        }
    }
}
