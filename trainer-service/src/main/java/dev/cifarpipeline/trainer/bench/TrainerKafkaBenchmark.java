package dev.cifarpipeline.trainer.bench;

import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.batch.EpochMarker;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.trainer.run.ClaimCheck;
import dev.cifarpipeline.trainer.run.ProgressBar;
import dev.cifarpipeline.trainer.run.RunContext;
import dev.cifarpipeline.trainer.run.RunMeters;
import dev.cifarpipeline.trainer.run.RunWorker;
import dev.cifarpipeline.trainer.run.TrainerOutputs;
import dev.cifarpipeline.trainer.training.DivergencePolicy;
import dev.cifarpipeline.trainer.training.TrainingSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The trainer fed from Kafka, through the same {@link RunWorker} a trainer runs: publishes {@code steps}
 * batches to a fresh topic on a real broker, then trains one run on them and reads the run's own meters.
 * Prints one JSON line: sustained images/s over the steps after the warm-up, counting the time spent waiting
 * for data (what a user gets), the median step's images/s (what the seed's script reports), the share of
 * wall time spent waiting for data, and RSS at steps 100 and 1,000 when the run is that long.
 * {@code bin/pipeline bench} starts the broker and runs the seed's script next to it.
 *
 * <p>Arguments: bootstrap servers, steps (default 60), warm-up steps (5), batch size (128), preset (seed).
 */
public final class TrainerKafkaBenchmark {
    private TrainerKafkaBenchmark() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int warm = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        String preset = args.length > 4 ? args[4] : "seed";
        String suffix = Long.toString(System.currentTimeMillis(), 36);
        PipelineTopics topics = PipelineTopics.prefixed("bench." + suffix + ".");
        Map<String, Object> kafka = new HashMap<>(Map.of("bootstrap.servers", bootstrap));
        publish(kafka, topics, steps, batchSize);

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String runId = "bench-" + suffix;
        RunSpec spec = RunSpec.of(runId).with("preset", preset).with("epochs", 1);
        TrainingSettings settings = TrainingSettings.resolve(spec, 1_000_000, DivergencePolicy.DEFAULT);
        long[] rss = {-1, -1};
        List<Long> rssEvery100 =
                new ArrayList<>(); // MiB at steps 100, 200, …: two readings alone hide the path between
        double[] atWarm = new double[3];
        double[] stepRates = new double[steps];
        int[] trained = {0};
        try (TrainerOutputs outputs = new TrainerOutputs(kafka, topics, "bench");
                RunMeters meters = new RunMeters(registry, runId)) {
            // The progress callback runs on the training thread after each step: it samples without a thread of its
            // own, which on a small machine would take cycles from the engine's.
            ProgressBar probe = (run, epoch, epochs, done, total, meanLoss, imagesPerSecond) -> {
                int step = ++trained[0];
                stepRates[step - 1] = imagesPerSecond;
                if (step == warm) {
                    atWarm[0] = registry.get("trainer_step_seconds").timer().totalTime(TimeUnit.SECONDS);
                    atWarm[1] = registry.get("trainer_data_wait_seconds_total")
                            .counter()
                            .count();
                    atWarm[2] = step;
                } else if (step % 100 == 0) {
                    long now;
                    try {
                        now = TrainerStepBenchmark.rssBytes();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    rssEvery100.add(now >> 20);
                    if (step == 100 || step == 1000) {
                        rss[step == 100 ? 0 : 1] = now;
                    }
                }
            };
            RunContext context = new RunContext(
                    kafka, topics, 512 * 1024, Duration.ofSeconds(10), "bench", outputs, probe, line -> {});
            RunWorker worker = new RunWorker(settings, context, meters, ClaimCheck.SOLE_OWNER);
            worker.run();
            if (worker.state() != RunWorker.State.FINISHED) {
                throw new IllegalStateException("the benchmark run ended " + worker.state() + ": "
                        + worker.status().detail());
            }
            double stepSeconds = registry.get("trainer_step_seconds").timer().totalTime(TimeUnit.SECONDS) - atWarm[0];
            double waitSeconds =
                    registry.get("trainer_data_wait_seconds_total").counter().count() - atWarm[1];
            double measuredSteps = registry.get("trainer_step").gauge().value() - atWarm[2];
            double wall = stepSeconds + waitSeconds;
            double[] sorted = Arrays.copyOfRange(stepRates, warm, trained[0]);
            Arrays.sort(sorted);
            double medianRate = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
            System.out.printf(
                    Locale.ROOT,
                    "{\"preset\":\"%s\",\"batch\":%d,\"steps\":%.0f,\"trainer_images_per_s\":%.1f,"
                            + "\"median_step_img_s\":%.1f,\"trainer_data_wait_fraction\":%.4f,\"rss_step_100\":%d,\"rss_step_1000\":%d,"
                            + "\"trainer_rss_growth\":%s,\"rss_mib_every_100_steps\":%s}%n",
                    preset,
                    batchSize,
                    measuredSteps,
                    measuredSteps * batchSize / wall,
                    medianRate,
                    waitSeconds / wall,
                    rss[0],
                    rss[1],
                    rss[0] > 0 && rss[1] > 0
                            ? String.format(Locale.ROOT, "%.4f", (double) rss[1] / rss[0] - 1)
                            : "null",
                    rssEvery100);
        }
    }

    /**
     * {@code steps} batches of one epoch, random pixels and labels (the step's cost does not depend on them), after
     * the epoch's marker, as ingest publishes them.
     */
    private static void publish(Map<String, Object> kafka, PipelineTopics topics, int steps, int batchSize) {
        String topic = topics.trainBatches();
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
        Random random = new Random(0);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            EpochMarker marker = new EpochMarker(
                    EpochMarker.SCHEMA_VERSION,
                    0,
                    0,
                    steps,
                    steps * batchSize,
                    topic,
                    0,
                    0,
                    System.currentTimeMillis());
            KafkaClients.await(
                    producer.send(new ProducerRecord<>(topics.epochMarkers(), "epoch-0", marker.toJson())),
                    "the benchmark's epoch marker");
            for (int i = 0; i < steps; i++) {
                byte[] labels = new byte[batchSize];
                byte[] pixels = new byte[batchSize * ImageGeometry.BYTES_PER_IMAGE];
                for (int j = 0; j < batchSize; j++) {
                    labels[j] = (byte) random.nextInt(10);
                }
                random.nextBytes(pixels);
                int[] indices = new int[batchSize];
                Arrays.setAll(indices, j -> j);
                AugmentedBatch batch = new AugmentedBatch(BatchKind.TRAIN, 0, 0, i, steps, indices, labels, pixels);
                producer.send(new ProducerRecord<>(topic, 0, batch.id(), AugmentedBatchCodec.encode(batch)));
            }
            producer.flush();
        }
    }
}
