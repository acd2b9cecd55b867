package dev.cifarpipeline.evaluator.bench;

import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.CheckpointRecordCodec;
import dev.cifarpipeline.events.checkpoint.Sha256;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.ModelWeights;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.model.TrainingState;
import dev.cifarpipeline.model.VggInference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Time from a checkpoint's publication to its accuracy at a running evaluator's {@code /q/metrics}: publishes a
 * test set (once), then a VGG11 checkpoint as a trainer does (chunks, then the manifest), and polls the metrics
 * until {@code evaluator_test_accuracy} of its run appears; reports too the evaluator's own time from the manifest
 * to the verified checkpoint ({@code evaluator_checkpoint_to_verified_seconds}). {@code bin/pipeline bench} starts the
 * broker and the packaged evaluator around it. Prints one JSON line.
 *
 * <p>Arguments: bootstrap servers, the evaluator's base URL (http://localhost:8083), test images (10000).
 */
public final class CheckpointLatencyProbe {
    private CheckpointLatencyProbe() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String base = args[1];
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        Map<String, Object> config = new HashMap<>(Map.of(
                "bootstrap.servers",
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                2 << 20));
        String run = "latency-" + Long.toString(System.currentTimeMillis(), 36);
        HttpClient http = HttpClient.newHttpClient();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            Random random = new Random(1);
            int batches = images / 100;
            for (int b = 0; b < batches; b++) {
                byte[] labels = new byte[100];
                byte[] pixels = new byte[100 * ImageGeometry.BYTES_PER_IMAGE];
                for (int i = 0; i < 100; i++) {
                    labels[i] = (byte) random.nextInt(10);
                }
                random.nextBytes(pixels);
                int[] indices = new int[100];
                int from = b * 100;
                Arrays.setAll(indices, i -> from + i);
                producer.send(new ProducerRecord<>(
                                Topics.TEST_BATCHES,
                                Integer.toString(b),
                                AugmentedBatchCodec.encode(
                                        new AugmentedBatch(BatchKind.TEST, 0, 0, b, batches, indices, labels, pixels))))
                        .get();
            }
            // the evaluator holds the whole test set before the clock starts (its readiness check reports it)
            String complete = batches + "/" + batches + " batches";
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!http.send(
                            HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body()
                    .contains(complete)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the evaluator did not take in the test set");
                }
                Thread.sleep(100);
            }
            byte[] weights;
            try (NDManager manager = NDManager.newBaseManager();
                    VggInference net = VggInference.initialised(ModelSpec.of("vgg11", "seed"), 0, manager)) {
                weights = ModelWeights.save(net.block());
            }
            byte[] bytes = new TrainingCheckpoint(
                            new TrainingState(TrainingState.SCHEMA_VERSION, run, 391, List.of(), Map.of(), 0),
                            weights,
                            List.of())
                    .encode();
            String id = run + "-e1";
            int chunkBytes = CheckpointRecordCodec.DEFAULT_CHUNK_BYTES;
            long start = System.nanoTime(); // as before: encoding and hashing count as part of publishing
            List<byte[]> records = CheckpointChunker.records(
                    new CheckpointManifest(
                            CheckpointManifest.SCHEMA_VERSION,
                            id,
                            run,
                            null,
                            "vgg11",
                            "seed",
                            TrainingCheckpoint.FORMAT,
                            1,
                            391,
                            2.0,
                            bytes.length,
                            CheckpointChunker.chunkCount(bytes.length, chunkBytes),
                            Sha256.hex(bytes),
                            List.of(),
                            System.currentTimeMillis()),
                    bytes,
                    chunkBytes);
            Future<?> last = null;
            for (byte[] record : records) {
                last = producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, run, record));
            }
            last.get();
            double published = (System.nanoTime() - start) / 1e9;
            double seen = awaitMetric(http, base, "evaluator_test_accuracy", run, Duration.ofMinutes(10))
                    ? (System.nanoTime() - start) / 1e9
                    : -1;
            // the accuracy gauge and the scoring timer are updated one after the other: wait for both before reading
            awaitMetric(http, base, "evaluator_scoring_seconds_sum", run, Duration.ofSeconds(30));
            String metrics = scrape(http, base);
            System.out.printf(
                    Locale.ROOT,
                    "{\"test_images\":%d,\"checkpoint_bytes\":%d,\"publish_seconds\":%.2f,"
                            + "\"checkpoint_to_verified_seconds\":%s,\"checkpoint_to_metrics_seconds\":%.2f,\"scoring_seconds\":%s}%n",
                    images,
                    bytes.length,
                    published,
                    sample(metrics, "evaluator_checkpoint_to_verified_seconds_sum", run),
                    seen,
                    sample(metrics, "evaluator_scoring_seconds_sum", run));
        }
    }

    /** The value of {@code name}'s sample for {@code run} in a scrape, or "null". */
    private static String sample(String metrics, String name, String run) {
        return metrics.lines()
                .filter(l -> l.startsWith(name) && l.contains("run=\"" + run + "\""))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .findFirst()
                .orElse("null");
    }

    private static String scrape(HttpClient http, String base) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Polls every 20 ms until a sample of {@code name} (for {@code run}, if given) is there; false after the timeout. */
    private static boolean awaitMetric(HttpClient http, String base, String name, String run, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String body = scrape(http, base);
            if (body.lines().anyMatch(l -> l.startsWith(name) && (run == null || l.contains("run=\"" + run + "\"")))) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
