package dev.cifarpipeline.cli;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecord;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.kafka.KafkaClients;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows one run until it ends: its events, results and checkpoint manifests from Kafka (from the start, so a
 * resumed run's history is there too), the seed's loss lines from the trainer's log, and a progress bar per
 * epoch from the trainer's metrics when the output is a terminal. Fills the {@link RunReport}.
 */
public final class RunFollower {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final Map<String, Object> kafka;
    private final String runId;
    private final int epochs;
    private final RunReport report;
    private final String trainerMetrics;
    private final TrainerLossLines lossLines;
    private final PrintStream out;
    private final boolean terminal;
    private final Set<String> seenCheckpoints = new HashSet<>();
    private final Set<Integer> trainLossEpochs = new HashSet<>();
    private TrainingEvent.Type finalEvent;
    private String finalMessage = "";
    private boolean barShown;

    public RunFollower(
            Map<String, Object> kafka,
            String runId,
            int epochs,
            RunReport report,
            String trainerMetrics,
            Path trainerLog,
            PrintStream out,
            boolean terminal) {
        this.kafka = Map.copyOf(kafka);
        this.runId = runId;
        this.epochs = epochs;
        this.report = report;
        this.trainerMetrics = trainerMetrics;
        this.lossLines = new TrainerLossLines(trainerLog);
        this.out = out;
        this.terminal = terminal;
    }

    /** Follows until the run finishes, stops or fails, or {@code stop} says so; returns the final event type, none when interrupted. */
    public Optional<TrainingEvent.Type> follow(BooleanSupplier stop) {
        List<String> topics = List.of(Topics.TRAINING_EVENTS, Topics.EVALUATION_RESULTS, Topics.CHECKPOINTS);
        Map<String, Object> config = new HashMap<>(kafka);
        config.putAll(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                8 << 20,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "pipeline-cli",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                KafkaClients.ISOLATION));
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                partitions.addAll(KafkaClients.partitions(consumer, topic, Duration.ofSeconds(60)));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long lastBar = 0;
            long grace = Long.MAX_VALUE;
            while (!stop.getAsBoolean()) {
                if (finalEvent != null) {
                    // the last checkpoint is scored after the trainer says FINISHED: wait for its result a while
                    grace = Math.min(
                            grace, System.nanoTime() + Duration.ofMinutes(5).toNanos());
                    if (!finalEvent.equals(TrainingEvent.Type.FINISHED)
                            || lastEpochScored()
                            || System.nanoTime() > grace) {
                        break;
                    }
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (runId.equals(r.key())) {
                        handle(r);
                    }
                }
                printLossLines();
                if (terminal && System.nanoTime() - lastBar > 500_000_000L) {
                    lastBar = System.nanoTime();
                    drawBar();
                }
            }
            printLossLines();
        }
        clearBar();
        return Optional.ofNullable(finalEvent);
    }

    private boolean lastEpochScored() {
        return report.epochs().stream().anyMatch(e -> e.epoch() == epochs && !Double.isNaN(e.testAccuracy()));
    }

    public String finalMessage() {
        return finalMessage;
    }

    private void handle(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.topic().equals(Topics.TRAINING_EVENTS)) {
                TrainingEvent e = TrainingEvent.fromJson(r.value());
                switch (e.type()) {
                    case FINISHED, STOPPED, FAILED -> {
                        finalEvent = e.type();
                        finalMessage = e.message();
                    }
                    case DIVERGED -> say("run " + runId + " DIVERGED at step " + e.step() + ": " + e.message());
                    case CLAIMED -> say("run " + runId + ": " + e.message());
                    default -> {}
                }
            } else if (r.topic().equals(Topics.EVALUATION_RESULTS)) {
                EvaluationResult result = EvaluationResult.fromJson(r.value());
                report.test(result.epoch(), result.meanLoss(), result.accuracy());
                report.evaluation(result.step(), result.epoch(), result.meanLoss(), result.accuracy());
                say(String.format(
                        Locale.ROOT,
                        "epoch %d: test accuracy %.2f %%, test loss %.4f (checkpoint %s, step %d)",
                        result.epoch(),
                        100 * result.accuracy(),
                        result.meanLoss(),
                        result.checkpointId(),
                        result.step()));
            } else if (r.value() != null
                    && r.value().length > 4
                    && r.value()[3] == 'M') { // a manifest; chunks are skipped unread
                CheckpointRecord record = CheckpointRecordCodec.decode(r.value());
                if (record instanceof CheckpointManifest m
                        && seenCheckpoints.add(m.checkpointId())
                        && m.epoch() > 0
                        && trainLossEpochs.add(m.epoch())) {
                    report.trainLoss(
                            m.epoch(), m.trainLoss()); // the epoch-end checkpoint: the first with this many epochs done
                }
            }
        } catch (RecordFormatException | IllegalArgumentException e) {
            // not ours to judge: the services dead-letter what they cannot read
        }
    }

    /** The trainer's seed-style loss lines ("[epoch 1, iteration 100] loss: 2.103 ...") since the last look. */
    private void printLossLines() {
        lossLines.read((run, text, step, loss) -> {
            if (run.equals(runId)) {
                say(text);
                if (step >= 0) {
                    report.trainStepLoss(step, loss);
                }
            }
        });
    }

    private void drawBar() {
        String metrics;
        try {
            metrics = HTTP.send(
                            HttpRequest.newBuilder(URI.create(trainerMetrics))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException | InterruptedException e) {
            return;
        }
        double done = metric(metrics, "trainer_epochs_completed");
        double share = metric(metrics, "trainer_epoch_progress_ratio");
        double loss = metric(metrics, "trainer_loss");
        double rate = metric(metrics, "trainer_images_per_second");
        if (Double.isNaN(done)) {
            return;
        }
        int epoch = (int) Math.min(epochs, done + (share >= 1 ? 0 : 1));
        int width = 30;
        int filled = Double.isNaN(share) ? 0 : (int) Math.round(Math.min(1, share) * width);
        out.print(String.format(
                Locale.ROOT,
                "\repoch %d/%d [%s%s] %3.0f %%  loss %.3f  %.0f img/s   ",
                epoch,
                epochs,
                "#".repeat(filled),
                ".".repeat(width - filled),
                Double.isNaN(share) ? 0 : 100 * share,
                loss,
                rate));
        out.flush();
        barShown = true;
    }

    private void clearBar() {
        if (barShown) {
            out.print("\r" + " ".repeat(90) + "\r");
            out.flush();
            barShown = false;
        }
    }

    private void say(String line) {
        clearBar();
        out.println(line);
    }

    private double metric(String body, String name) {
        Matcher m = Pattern.compile(
                        "^" + name + "\\{[^}]*run=\"" + Pattern.quote(runId) + "\"[^}]*\\}\\s+(\\S+)$",
                        Pattern.MULTILINE)
                .matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
