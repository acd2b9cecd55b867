package dev.cifarpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.sweep.SweepSpec;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code bin/pipeline sweep}: the pipeline on this machine with {@code --trainers} trainer processes on one broker,
 * a sweep submitted through {@code POST /trainer/sweeps}, and every run of it followed to its end from Kafka (events,
 * results, checkpoint manifests). Writes each run's {@code summary.json} and {@code chart.html} in a folder of its
 * own, the sweep's {@code sweep.json} and {@code sweep.html}, and the winner's weights ({@code winner.safetensors}).
 */
public final class SweepCommand {
    private static final HttpClient HTTP = PipelineCommand.HTTP;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SweepCommand() {}

    /** Runs a sweep from the repository at {@code root}; the exit status (0: every run ended, a winner was scored). */
    public static int run(SweepOptions options, Path root, BooleanSupplier interrupted) throws Exception {
        long start = System.nanoTime();
        RunOptions base = options.run();
        String sweepId = options.sweepId()
                .orElse("sweep-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path sweepDir = root.resolve(".run/sweeps").resolve(sweepId);
        if (Files.exists(sweepDir)) {
            System.err.println("bin/pipeline: sweep '" + sweepId + "' exists already (" + sweepDir + ")");
            return 2;
        }
        SweepSpec sweep;
        List<RunSpec> runs;
        try {
            RunSpec baseSpec = base.spec(sweepId).with("sweep", sweepId);
            if (options.ashaEta().isPresent()) {
                baseSpec = baseSpec.with("ashaEta", options.ashaEta().get());
            }
            sweep = new SweepSpec(sweepId, baseSpec, options.space());
            runs = sweep.runs();
        } catch (RecordFormatException e) {
            System.err.println("bin/pipeline: " + e.getMessage());
            return 2;
        }
        Path report = PipelineCommand.reportDir(root, base.report(), sweepId);
        DatasetChoice dataset;
        try {
            dataset = DatasetChoice.resolve(base, root.resolve(".run"), System.out::println);
        } catch (RuntimeException e) {
            System.err.println("bin/pipeline: " + e.getMessage());
            return 2;
        }
        int maxEpochs = runs.stream().mapToInt(RunSpec::epochs).max().orElse(base.epochs());
        System.out.printf(
                Locale.ROOT,
                "sweep %s: %d runs on %d trainer(s)%s, %s dataset (%d train / %d test images); report in %s%n",
                sweepId,
                runs.size(),
                options.trainers(),
                options.ashaEta().map(eta -> ", ASHA with eta " + eta).orElse(""),
                dataset.kind(),
                dataset.trainImages(),
                dataset.testImages(),
                report);
        SweepReport sweepReport = new SweepReport(sweepId);
        Map<String, RunReport> reports = new LinkedHashMap<>();
        Map<String, Map<String, Object>> values = new LinkedHashMap<>();
        Map<String, Map<String, Object>> points = sweep.pointsByRun();
        for (RunSpec run : runs) {
            reports.put(run.runId(), new RunReport(run.runId(), run.preset(), run.model(), dataset));
            values.put(run.runId(), points.get(run.runId()));
        }
        Map<String, String> status = new LinkedHashMap<>();
        Set<String> cut = new HashSet<>();
        Map<String, EvaluationResult> best = new HashMap<>();
        Path logs = report.resolve("logs");
        try (LocalStack stack =
                new LocalStack(root, sweepDir.resolve("kafka"), base.kafkaPort(), System.out::println)) {
            stack.startBroker(base.kafkaSecurity());
            stack.start("evaluator-service", 8083, LocalStack.jvmOptions(root, "evaluator-service"), Map.of(), logs);
            Map<String, String> trainerSettings = Map.of(
                    "trainer.progress-bar",
                    "false",
                    "trainer.log-every",
                    Integer.toString(PipelineCommand.logEvery(dataset.trainImages(), base.batchSize())));
            List<TrainerLossLines> lossLines = new ArrayList<>();
            for (int t = 1; t <= options.trainers(); t++) {
                String name = t == 1 ? "trainer-service" : "trainer-service-" + t;
                stack.start(
                        name,
                        "trainer-service",
                        t == 1 ? 8082 : 8083 + t,
                        LocalStack.jvmOptions(root, "trainer-service"),
                        trainerSettings,
                        logs);
                lossLines.add(new TrainerLossLines(stack.service(name).log()));
            }
            stack.start(
                    "data-ingest-service",
                    8081,
                    LocalStack.jvmOptions(root, "data-ingest-service"),
                    Map.of(
                            "ingest.dataset-dir",
                            dataset.dir().toString(),
                            "ingest.epochs",
                            Integer.toString(maxEpochs),
                            "ingest.batch-size",
                            Integer.toString(base.batchSize())),
                    logs);
            System.out.println(
                    "starting ingest, " + options.trainers() + " trainer(s) and the evaluator (logs in " + logs + ")");
            stack.awaitReady(Duration.ofMinutes(3));
            submit(stack.service("trainer-service").url("/trainer/sweeps"), stack.apiToken(), sweep);
            follow(stack.clientConfig(), reports, status, cut, best, lossLines, interrupted);
            if (!interrupted.getAsBoolean()) {
                addRuns(sweepReport, reports, values, status, cut, best);
                SweepReport.Run winner = sweepReport.winner();
                if (winner != null) {
                    EvaluationResult w = best.get(winner.runId());
                    sweepReport.winnerConfusion(w == null ? null : w.confusion());
                    PipelineCommand.download(
                            stack.service("evaluator-service")
                                    .url("/evaluator/runs/" + winner.runId() + "/best.safetensors"),
                            report.resolve("winner.safetensors"));
                }
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("bin/pipeline: " + e.getMessage());
        }
        if (interrupted.getAsBoolean()) {
            addRuns(sweepReport, reports, values, status, cut, best);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        for (Map.Entry<String, RunReport> r : reports.entrySet()) {
            Path dir = report.resolve(r.getKey());
            r.getValue().writeSummary(dir, status.getOrDefault(r.getKey(), "interrupted"), 0);
            r.getValue().writeChart(dir);
        }
        sweepReport.write(report, wall);
        SweepReport.Run winner = sweepReport.winner();
        System.out.printf(
                Locale.ROOT,
                "%nsweep %s: %d runs in %.0f s; winner %s; %s written: sweep.json, sweep.html, a folder per run%s%n",
                sweepId,
                runs.size(),
                wall,
                winner == null ? "none" : winner.runId() + " " + winner.values(),
                report,
                Files.exists(report.resolve("winner.safetensors")) ? ", winner.safetensors" : "");
        boolean allEnded = reports.keySet().stream()
                .allMatch(r -> status.containsKey(r) && !status.get(r).equals("failed"));
        return allEnded && winner != null ? 0 : 1;
    }

    private static void submit(String url, String token, SweepSpec sweep) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(sweep.toJson()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "the trainer refused the sweep (" + response.statusCode() + "): " + response.body());
        }
        JsonNode placed = JSON.readTree(response.body()).get("runs");
        for (JsonNode run : placed) {
            System.out.println("run " + run.get("runId").asText() + " " + run.get("values"));
        }
    }

    private static void addRuns(
            SweepReport sweepReport,
            Map<String, RunReport> reports,
            Map<String, Map<String, Object>> values,
            Map<String, String> status,
            Set<String> cut,
            Map<String, EvaluationResult> best) {
        for (String run : reports.keySet()) {
            EvaluationResult b = best.get(run);
            sweepReport.add(new SweepReport.Run(
                    run,
                    values.get(run),
                    reports.get(run),
                    status.getOrDefault(run, "interrupted"),
                    b == null ? null : b.accuracy(),
                    cut.contains(run)));
        }
    }

    /**
     * Reads the runs' events, results and checkpoint manifests from the start until every run has ended (a finished
     * run once its last epoch is scored, or five minutes after it finished), and the trainers' loss lines, which chart
     * each run's training loss at every logged step.
     */
    private static void follow(
            Map<String, Object> kafka,
            Map<String, RunReport> reports,
            Map<String, String> status,
            Set<String> cut,
            Map<String, EvaluationResult> best,
            List<TrainerLossLines> lossLines,
            BooleanSupplier interrupted) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "pipeline-cli-sweep");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, KafkaClients.ISOLATION);
        Map<String, Integer> epochsOf = new HashMap<>();
        Map<String, Long> finishedAt = new HashMap<>();
        Set<String> trainLossEpochs = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.TRAINING_EVENTS, Topics.EVALUATION_RESULTS, Topics.CHECKPOINTS)) {
                partitions.addAll(KafkaClients.partitions(consumer, topic, Duration.ofSeconds(60)));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!interrupted.getAsBoolean() && !allEnded(reports, status, epochsOf, finishedAt)) {
                for (TrainerLossLines trainer : lossLines) {
                    trainer.read((run, text, step, loss) -> {
                        RunReport report = reports.get(run);
                        if (report != null && step >= 0) {
                            report.trainStepLoss(step, loss);
                        }
                    });
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    RunReport report = r.key() == null ? null : reports.get(r.key());
                    if (report == null) {
                        continue;
                    }
                    try {
                        if (r.topic().equals(Topics.TRAINING_EVENTS)) {
                            TrainingEvent e = TrainingEvent.fromJson(r.value());
                            if (e.type() == TrainingEvent.Type.RUNG_PASSED || e.type() == TrainingEvent.Type.RUNG_CUT) {
                                System.out.println("run " + r.key() + ": " + e.message());
                            }
                            if (e.type() == TrainingEvent.Type.RUNG_CUT) {
                                cut.add(r.key());
                            }
                            if (e.type() == TrainingEvent.Type.FAILED) {
                                // Nothing trains a failed run until a trainer claims it again: the sweep has ended
                                // for it, and waiting on would wait for ever.
                                status.put(r.key(), "failed");
                                finishedAt.put(r.key(), System.nanoTime());
                                System.out.println("run " + r.key() + " FAILED: " + e.message());
                            } else if (e.type() == TrainingEvent.Type.CLAIMED && "failed".equals(status.get(r.key()))) {
                                status.remove(r.key()); // taken on again (a trainer restarted): it trains on
                            }
                            if (e.terminal()) {
                                String s = e.type().name().toLowerCase(Locale.ROOT);
                                if (status.put(r.key(), s) == null) {
                                    System.out.println("run " + r.key() + " " + s + ": " + e.message());
                                    finishedAt.put(r.key(), System.nanoTime());
                                }
                            }
                        } else if (r.topic().equals(Topics.EVALUATION_RESULTS)) {
                            EvaluationResult result = EvaluationResult.fromJson(r.value());
                            report.test(result.epoch(), result.meanLoss(), result.accuracy());
                            report.evaluation(result.step(), result.epoch(), result.meanLoss(), result.accuracy());
                            EvaluationResult b = best.get(r.key());
                            // the evaluator's rule (ResultBook.best): every checkpoint counts, the later on a tie
                            if (b == null || result.accuracy() >= b.accuracy()) {
                                best.put(r.key(), result);
                            }
                            System.out.printf(
                                    Locale.ROOT,
                                    "run %s epoch %d: test accuracy %.2f %%%n",
                                    r.key(),
                                    result.epoch(),
                                    100 * result.accuracy());
                        } else if (r.value() != null && r.value().length > 4 && r.value()[3] == 'M') {
                            if (CheckpointRecordCodec.decode(r.value()) instanceof CheckpointManifest m) {
                                epochsOf.put(r.key(), Math.max(epochsOf.getOrDefault(r.key(), 0), m.epoch()));
                                // the epoch-end checkpoint, the first with this many epochs done; a later one of
                                // the same count (every-N-steps, a stop's) holds part of the next epoch's loss
                                if (m.epoch() > 0 && trainLossEpochs.add(r.key() + "/" + m.epoch())) {
                                    report.trainLoss(m.epoch(), m.trainLoss());
                                }
                            }
                        }
                    } catch (RecordFormatException | IllegalArgumentException e) {
                        // not ours to judge: the services dead-letter what they cannot read
                    }
                }
            }
        }
    }

    private static boolean allEnded(
            Map<String, RunReport> reports,
            Map<String, String> status,
            Map<String, Integer> epochsOf,
            Map<String, Long> finishedAt) {
        for (String run : reports.keySet()) {
            String s = status.get(run);
            if (s == null) {
                return false;
            }
            if (s.equals("finished")) {
                int epochs = epochsOf.getOrDefault(run, 0);
                boolean scored = reports.get(run).epochs().stream()
                        .anyMatch(e -> e.epoch() == epochs && !Double.isNaN(e.testAccuracy()));
                boolean waited = System.nanoTime() - finishedAt.get(run)
                        > Duration.ofMinutes(5).toNanos();
                if (!scored && !waited) {
                    return false;
                }
            }
        }
        return true;
    }
}
