package dev.cifarpipeline.ingest.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.ingest.augment.BatchFactory;
import dev.cifarpipeline.ingest.stream.PublishListener;
import dev.cifarpipeline.ingest.stream.PublishedBatch;
import dev.cifarpipeline.ingest.stream.StreamPublisher;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Augmented images per second that ingest publishes to a broker, per producer compression, measured through the
 * production path ({@link BatchFactory} → {@link AugmentedBatchCodec} → {@link StreamPublisher}), plus the
 * augment-and-encode rate alone as the reference ceiling in the same process. {@code bin/bench-ingest} runs it
 * pinned to one core against a local broker pinned to the other. Prints a table and one JSON line.
 *
 * <p>Arguments: bootstrap servers, training images (default 50,000), epochs per compression (default 2),
 * compressions (default none,lz4,zstd).
 */
public final class IngestThroughputBenchmark {
    /** The seed's model trains at about 36,500 images/s on one H100 (batch 128, TF32); ingest must outrun it. */
    public static final double GPU_DEMAND_IMAGES_PER_S = 36_500;

    public static final double TARGET_IMAGES_PER_S = 50_000;

    private IngestThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        List<String> compressions = List.of((args.length > 3 ? args[3] : "none,lz4,zstd").split(","));

        long t0 = System.nanoTime();
        CifarDataset dataset = new CifarDataset(
                Path.of("synthetic"),
                "synthetic",
                SyntheticCifar.generate(images, 1, false),
                SyntheticCifar.generate(1_000, 1, true));
        System.out.printf(
                Locale.ROOT,
                "generated %d synthetic training images in %.1f s%n",
                images,
                (System.nanoTime() - t0) / 1e9);

        augmentAndEncodeRate(dataset, 1); // warm-up: let the JIT compile the hot path before anything is timed
        double cpuOnly = augmentAndEncodeRate(dataset, epochs);
        System.out.printf(Locale.ROOT, "augment + encode only (no Kafka): %,.0f images/s%n", cpuOnly);

        StringBuilder json = new StringBuilder("{\"ingest_augment_encode_images_per_s\":" + Math.round(cpuOnly));
        double firstRate = 0;
        System.out.printf(
                Locale.ROOT,
                "%-6s %14s %18s %12s %14s %8s%n",
                "codec",
                "images/s",
                "images/ingest-CPU-s",
                "MB/s (raw)",
                "bytes on disk",
                "ratio");
        publish(bootstrap, dataset, 1, compressions.get(0)); // warm-up of the producer path, not reported
        byte[] record = AugmentedBatchCodec.encode(new BatchFactory(dataset, 1, 128, 100).trainBatch(0, 0));
        int records = epochs * new BatchFactory(dataset, 1, 128, 100).trainBatchesPerEpoch();
        producerRate(bootstrap, record, records / 4 + 1, compressions.get(0)); // warm-up
        double ceilingBefore = producerRate(bootstrap, record, records, compressions.get(0));
        for (String compression : compressions) {
            Run run = publish(bootstrap, dataset, epochs, compression);
            double seconds = run.seconds();
            double perCpuSecond = run.trainImages().get() / run.cpuSeconds();
            long onDisk = run.onDisk();
            AtomicLong rawBytes = run.rawBytes();
            AtomicLong trainImages = run.trainImages();
            double rate = trainImages.get() / seconds;
            System.out.printf(
                    Locale.ROOT,
                    "%-6s %,14.0f %,18.0f %12.1f %,14d %8.3f%n",
                    compression,
                    rate,
                    perCpuSecond,
                    rawBytes.get() / seconds / 1e6,
                    onDisk,
                    (double) onDisk / rawBytes.get());
            json.append(String.format(
                    Locale.ROOT,
                    ",\"ingest_%s_images_per_s\":%d,\"ingest_%s_images_per_cpu_s\":%d,\"ingest_%s_disk_ratio\":%.4f",
                    compression,
                    Math.round(rate),
                    compression,
                    Math.round(perCpuSecond),
                    compression,
                    (double) onDisk / rawBytes.get()));
            if (compression.equals(compressions.get(0))) {
                firstRate = rate;
                json.append(String.format(
                        Locale.ROOT,
                        ",\"ingest_images_per_s\":%d,\"ingest_vs_target\":%.3f,\"ingest_vs_h100_demand\":%.3f"
                                + ",\"ingest_images_per_cpu_s\":%d,\"ingest_cpu_capacity_vs_target\":%.3f",
                        Math.round(rate),
                        rate / TARGET_IMAGES_PER_S,
                        rate / GPU_DEMAND_IMAGES_PER_S,
                        Math.round(perCpuSecond),
                        perCpuSecond / TARGET_IMAGES_PER_S));
                System.out.printf(
                        Locale.ROOT,
                        "  → wall rate %.2f× the 50,000 images/s target (%.2f× what one H100 consumes, 36,500);"
                                + " ingest's own CPU: %.2f× the target per core%n",
                        rate / TARGET_IMAGES_PER_S,
                        rate / GPU_DEMAND_IMAGES_PER_S,
                        perCpuSecond / TARGET_IMAGES_PER_S);
            }
        }
        double ceilingAfter = producerRate(bootstrap, record, records, compressions.get(0));
        // the better of the two readings either side of ingest's own: a ceiling must not flatter ingest
        double ceiling = Math.max(ceilingBefore, ceilingAfter) * 128;
        System.out.printf(
                Locale.ROOT,
                "producer ceiling (pre-encoded %,d-byte records, same settings, same broker): %,.0f images/s%n",
                record.length,
                ceiling);
        json.append(String.format(
                Locale.ROOT,
                ",\"producer_ceiling_images_per_s\":%d,\"ingest_vs_producer_ceiling\":%.3f",
                Math.round(ceiling),
                firstRate / ceiling));
        System.out.println(json.append('}'));
    }

    /**
     * Records/s a bare producer with ingest's settings ({@link StreamPublisher#producerConfig}) sends to a fresh
     * one-partition topic on the same broker, acknowledged: {@code records} copies of one encoded training batch, no
     * augmenting, encoding or bookkeeping. What ingest could reach if producing its records cost nothing.
     */
    static double producerRate(String bootstrap, byte[] record, int records, String compression) throws Exception {
        String topic = "bench-producer-" + System.nanoTime();
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                            .configs(Map.of("max.message.bytes", Integer.toString(4 << 20)))))
                    .all()
                    .get();
        }
        double seconds;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                StreamPublisher.producerConfig(kafka, compression),
                new StringSerializer(),
                new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, record));
            }
            producer.flush();
            seconds = (System.nanoTime() - start) / 1e9;
        }
        try (Admin admin = Admin.create(kafka)) {
            admin.deleteTopics(List.of(topic)).all().get();
        }
        return records / seconds;
    }

    record Run(double seconds, double cpuSeconds, long onDisk, AtomicLong rawBytes, AtomicLong trainImages) {}

    /** Publishes {@code epochs} epochs to fresh topics with {@code compression}; times the training batches only. */
    static Run publish(String bootstrap, CifarDataset dataset, int epochs, String compression) throws Exception {
        String prefix = "bench-" + compression + "-" + System.currentTimeMillis();
        PipelineTopics topics = PipelineTopics.prefixed(prefix + ".");
        AtomicLong rawBytes = new AtomicLong();
        AtomicLong trainImages = new AtomicLong();
        PublishListener counting = new PublishListener() {
            @Override
            public void published(PublishedBatch batch, long latencyNanos) {
                if (batch.kind() == BatchKind.TRAIN) {
                    rawBytes.addAndGet(batch.bytes());
                    trainImages.addAndGet(batch.images());
                }
            }

            @Override
            public void epochStarted(int epoch) {}

            @Override
            public void lead(int epochsAhead, boolean waiting) {}

            @Override
            public void state(String state) {}
        };
        StreamPublisher.Settings settings =
                new StreamPublisher.Settings(epochs, 1, 64, epochs, Duration.ofSeconds(1), compression);
        BatchFactory batches = new BatchFactory(dataset, 1, 128, 100);
        double seconds;
        double cpuSeconds;
        long onDisk;
        Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
        try (StreamPublisher publisher = new StreamPublisher(batches, topics, kafka, settings, counting)) {
            StreamPublisher.ResumePoint resume = publisher.prepare();
            // the test set goes first and is not timed
            publisher.run(new StreamPublisher.ResumePoint(epochs, 0, resume.testSetComplete()), () -> false);
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            publisher.run(new StreamPublisher.ResumePoint(0, 0, true), () -> false);
            seconds = (System.nanoTime() - start) / 1e9;
            cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        }
        try (Admin admin = Admin.create(kafka)) {
            onDisk = logSize(admin, new TopicPartition(topics.trainBatches(), 0));
            admin.deleteTopics(List.of(topics.trainBatches(), topics.testBatches(), topics.epochMarkers()))
                    .all()
                    .get();
        }
        return new Run(seconds, cpuSeconds, onDisk, rawBytes, trainImages);
    }

    /** CPU time of this whole process (all its threads: producer I/O, GC, JIT included). */
    static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The production path without Kafka: shuffle, crop, flip, encode with CRC. */
    static double augmentAndEncodeRate(CifarDataset dataset, int epochs) {
        BatchFactory batches = new BatchFactory(dataset, 1, 128, 100);
        long sink = 0;
        long images = 0;
        long start = System.nanoTime();
        for (int e = 0; e < epochs; e++) {
            for (int b = 0; b < batches.trainBatchesPerEpoch(); b++) {
                AugmentedBatch batch = batches.trainBatch(e, b);
                sink += AugmentedBatchCodec.encode(batch).length;
                images += batch.size();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (sink == 0) {
            throw new IllegalStateException("nothing encoded");
        }
        return images / seconds;
    }

    private static long logSize(Admin admin, TopicPartition partition) throws Exception {
        long size = 0;
        List<Integer> brokers =
                admin.describeCluster().nodes().get().stream().map(Node::id).toList();
        for (Map<String, LogDirDescription> byDir :
                admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (LogDirDescription d : byDir.values()) {
                ReplicaInfo info = d.replicaInfos().get(partition);
                if (info != null) {
                    size += info.size();
                }
            }
        }
        return size;
    }
}
