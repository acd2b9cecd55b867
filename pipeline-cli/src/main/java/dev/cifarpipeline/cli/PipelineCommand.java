package dev.cifarpipeline.cli;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.sweep.SweepValues;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bin/pipeline run}: the whole pipeline on this machine for one run, followed to its end. Each run gets
 * a broker data folder of its own ({@code .run/runs/<run>/kafka}), so runs never see each other's streams and
 * {@code --resume RUN} finds its run's checkpoints where it left them. Ctrl-C stops cleanly: the services get
 * SIGTERM (the trainer checkpoints the run), the broker stops, and the report is written with status
 * {@code interrupted}.
 */
public final class PipelineCommand {
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private PipelineCommand() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("bench")) {
            System.exit(BenchCommand.main(
                    Arrays.asList(args).subList(1, args.length),
                    Path.of(System.getProperty("pipeline.root", "."))
                            .toAbsolutePath()
                            .normalize()));
        }
        if (args.length > 0 && args[0].equals("sweep")) {
            SweepOptions sweep;
            try {
                sweep = SweepOptions.parse(Arrays.asList(args).subList(1, args.length));
            } catch (IllegalArgumentException e) {
                System.err.println("bin/pipeline: " + e.getMessage());
                System.exit(2);
                return;
            }
            Thread hook = shutdownHook("\nstopping: the trainers checkpoint their runs, then every process ends");
            int status = SweepCommand.run(
                    sweep,
                    Path.of(System.getProperty("pipeline.root", "."))
                            .toAbsolutePath()
                            .normalize(),
                    INTERRUPTED::get);
            if (!INTERRUPTED.get()) {
                Runtime.getRuntime().removeShutdownHook(hook);
                System.exit(status);
            }
            return;
        }
        if (args.length == 0 || !args[0].equals("run")) {
            System.err.println(RunOptions.USAGE + "\n" + SweepOptions.USAGE + "\n" + BenchCommand.USAGE);
            System.exit(2);
        }
        RunOptions options;
        try {
            options = RunOptions.parse(Arrays.asList(args).subList(1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println("bin/pipeline: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = run(
                options,
                Path.of(System.getProperty("pipeline.root", "."))
                        .toAbsolutePath()
                        .normalize());
        if (!INTERRUPTED.get()) {
            System.exit(status);
        }
        // Ctrl-C: the JVM is already shutting down (exit status 130); System.exit now would block for good.
    }

    /**
     * Installs the hook that Ctrl-C (SIGINT) or SIGTERM runs: it says {@code message}, marks the command interrupted
     * and gives the calling thread four minutes to stop the services cleanly.
     */
    private static Thread shutdownHook(String message) {
        Thread main = Thread.currentThread();
        Thread hook = new Thread(
                () -> {
                    INTERRUPTED.set(true);
                    System.out.println(message);
                    try {
                        main.join(Duration.ofMinutes(4).toMillis());
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                },
                "pipeline-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Set when Ctrl-C (SIGINT) or SIGTERM started the JVM's shutdown. */
    private static final AtomicBoolean INTERRUPTED = new AtomicBoolean();

    /** Runs the main job from the repository at {@code root}; the exit status (0: the run finished). */
    public static int run(RunOptions options, Path root) throws Exception {
        long start = System.nanoTime();
        String runId = options.resume()
                .or(options::runId)
                .orElse("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path runDir = root.resolve(".run/runs").resolve(runId);
        if (options.resume().isPresent() && !Files.isDirectory(runDir.resolve("kafka"))) {
            System.err.println(
                    "bin/pipeline: no run '" + runId + "' to resume (" + runDir.resolve("kafka") + " does not exist)");
            return 2;
        }
        if (options.resume().isEmpty() && Files.exists(runDir)) {
            System.err.println("bin/pipeline: run '" + runId + "' exists already (" + runDir
                    + "); resume it with --resume " + runId);
            return 2;
        }
        Path report = reportDir(root, options.report(), runId);
        DatasetChoice dataset;
        try {
            dataset = DatasetChoice.resolve(options, root.resolve(".run"), System.out::println);
        } catch (RuntimeException e) {
            System.err.println("bin/pipeline: " + e.getMessage());
            return 2;
        }
        System.out.printf(
                "run %s: %s preset, %s, %d epoch(s)%s, %s dataset (%s, %d train / %d test images); report in %s%n",
                runId,
                options.preset(),
                options.model(),
                options.epochs(),
                options.specValues().isEmpty() ? "" : ", " + SweepValues.describe(options.specValues()),
                dataset.kind(),
                dataset.dir(),
                dataset.trainImages(),
                dataset.testImages(),
                report);
        RunReport runReport = new RunReport(runId, options.preset(), options.model(), dataset);
        AtomicBoolean interrupted = INTERRUPTED;
        Thread hook = shutdownHook("\nstopping: the trainer checkpoints the run, then every process ends (resume with "
                + "--resume " + runId + ")");
        String status;
        Path logs = report.resolve("logs");
        try (LocalStack stack =
                new LocalStack(root, runDir.resolve("kafka"), options.kafkaPort(), System.out::println)) {
            stack.startBroker(options.kafkaSecurity());
            stack.start("evaluator-service", 8083, LocalStack.jvmOptions(root, "evaluator-service"), Map.of(), logs);
            stack.start(
                    "trainer-service",
                    8082,
                    LocalStack.jvmOptions(root, "trainer-service"),
                    Map.of(
                            "trainer.progress-bar",
                            "false",
                            "trainer.log-every",
                            Integer.toString(logEvery(dataset.trainImages(), options.batchSize()))),
                    logs);
            stack.start(
                    "data-ingest-service",
                    8081,
                    LocalStack.jvmOptions(root, "data-ingest-service"),
                    Map.of(
                            "ingest.dataset-dir",
                            dataset.dir().toString(),
                            "ingest.epochs",
                            Integer.toString(options.epochs()),
                            "ingest.batch-size",
                            Integer.toString(options.batchSize())),
                    logs);
            System.out.println("starting ingest, trainer and evaluator (logs in " + logs + ")");
            stack.awaitReady(Duration.ofMinutes(3));
            if (options.resume().isEmpty()) {
                submit(stack.service("trainer-service").url("/trainer/runs"), stack.apiToken(), runId, options);
            }
            RunFollower follower = new RunFollower(
                    stack.clientConfig(),
                    runId,
                    options.epochs(),
                    runReport,
                    stack.service("trainer-service").url("/q/metrics"),
                    stack.service("trainer-service").log(),
                    System.out,
                    System.console() != null);
            Optional<TrainingEvent.Type> end = follower.follow(interrupted::get);
            status = end.map(type -> switch (type) {
                        case FINISHED -> "finished";
                        case STOPPED -> "stopped";
                        case FAILED -> "failed";
                        default -> "interrupted";
                    })
                    .orElse("interrupted");
            if (end.isPresent() && end.get() != TrainingEvent.Type.FINISHED) {
                System.out.println("run " + runId + " " + status + ": " + follower.finalMessage());
            }
            if (!interrupted.get()) {
                download(
                        stack.service("evaluator-service").url("/evaluator/runs/" + runId + "/best.safetensors"),
                        report.resolve("best.safetensors"));
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("bin/pipeline: " + e.getMessage());
            status = "failed";
        }
        double wall = (System.nanoTime() - start) / 1e9;
        runReport.writeSummary(report, status, wall);
        runReport.writeChart(report);
        System.out.println();
        System.out.print(runReport.table());
        System.out.printf(
                "run %s %s in %.0f s; %s written: summary.json, chart.html%s%n",
                runId,
                status,
                wall,
                report,
                Files.exists(report.resolve("best.safetensors")) ? ", best.safetensors" : "");
        if (!interrupted.get()) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return status.equals("finished") ? 0 : 1;
    }

    private static void submit(String url, String apiToken, String runId, RunOptions options)
            throws IOException, InterruptedException {
        RunSpec spec = options.spec(runId);
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + apiToken)
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(spec.toJson()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "the trainer refused the run (" + response.statusCode() + "): " + response.body());
        }
    }

    /** The report folder, made: {@code --report DIR} (relative to the repository) or {@code reports/<id>}. */
    static Path reportDir(Path root, Optional<Path> chosen, String id) throws IOException {
        Path dir = chosen.orElse(Path.of("reports", id));
        return Files.createDirectories(dir.isAbsolute() ? dir : root.resolve(dir));
    }

    /** The evaluator's export at {@code url} (a best model's safetensors) into {@code file}, written atomically. */
    static void download(String url, Path file) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofMinutes(2))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 200) {
            RunReport.atomicWrite(file, response.body());
        } else {
            System.out.println("no best model to export (" + response.statusCode() + ")");
        }
    }

    /**
     * How often the trainer logs its loss in this run: about ten times an epoch, at most every 100 steps (the seed's
     * cadence), so that even a short run's chart and terminal show its loss falling.
     */
    static int logEvery(int trainImages, int batchSize) {
        int stepsPerEpoch = (trainImages + batchSize - 1) / batchSize;
        return Math.max(1, Math.min(100, stepsPerEpoch / 10));
    }
}
