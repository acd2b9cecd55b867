package dev.cifarpipeline.ingest.stream;

import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.batch.EpochMarker;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.ingest.augment.BatchFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams a dataset into Kafka: the test set once, then epoch after epoch of shuffled, augmented training
 * batches, each epoch announced by an {@link EpochMarker}. It picks up where the topics end (see
 * {@link StreamFrontier}), and before each epoch waits until the slowest consumer is close enough
 * ({@link LeadGovernor}). Framework-free: the service wires it to configuration, metrics and lifecycle.
 */
public final class StreamPublisher implements AutoCloseable {

    /**
     * @param epochs              epochs the stream has in all
     * @param streamSeed          the stream's seed (must match what the topic already holds)
     * @param maxInFlight         batches sent and not yet acknowledged, at most
     * @param maxEpochsAhead      how far ahead of the slowest run (consumer groups with the topics' run-group prefix) ingest may be
     * @param lagPollInterval     how often to look at consumer progress while waiting
     * @param compression         the producer's compression.type
     */
    public record Settings(
            int epochs,
            long streamSeed,
            int maxInFlight,
            int maxEpochsAhead,
            Duration lagPollInterval,
            String compression) {}

    /** Where publishing (re)starts. */
    public record ResumePoint(int epoch, int batch, boolean testSetComplete) {}

    private final BatchFactory batches;
    private final PipelineTopics topics;
    private final Settings settings;
    private final PublishListener listener;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> reader;
    private final Admin admin;
    private final LeadGovernor governor;
    private final ConsumerProgressProbe probe;

    public StreamPublisher(
            BatchFactory batches,
            PipelineTopics topics,
            Map<String, Object> kafka,
            Settings settings,
            PublishListener listener) {
        this.batches = batches;
        this.topics = topics;
        this.settings = settings;
        this.listener = listener;
        this.producer = new KafkaProducer<>(
                producerConfig(kafka, settings.compression()), new StringSerializer(), new ByteArraySerializer());
        this.reader = new KafkaConsumer<>(readerConfig(kafka), new StringDeserializer(), new ByteArrayDeserializer());
        this.admin = Admin.create(new HashMap<>(kafka));
        this.governor = new LeadGovernor(settings.maxEpochsAhead());
        this.probe = new ConsumerProgressProbe(admin, topics.trainBatches(), topics.runGroupPrefix());
    }

    /** Ingest's producer settings: every write acknowledged by the in-sync replicas, idempotent, in large batches. */
    public static Map<String, Object> producerConfig(Map<String, Object> kafka, String compression) {
        Map<String, Object> p = new HashMap<>(kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5); // ordered with idempotence
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicSpec.BATCH_MAX_MESSAGE_BYTES);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "data-ingest");
        return p;
    }

    static Map<String, Object> readerConfig(Map<String, Object> kafka) {
        Map<String, Object> c = new HashMap<>(kafka);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * TopicSpec.BATCH_MAX_MESSAGE_BYTES);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "data-ingest-reader");
        return c;
    }

    /** Creates missing topics and reads back where the stream ends. */
    public ResumePoint prepare() throws InterruptedException {
        // One partition each: the training stream's order is the epoch's shuffle, and exactly-once accounting per epoch
        // relies on it.
        TopicSpec.ensure(
                admin,
                List.of(
                        TopicSpec.stream(topics.trainBatches()),
                        TopicSpec.testBatches(topics.testBatches()),
                        TopicSpec.epochMarkers(topics.epochMarkers())));
        int perEpoch = batches.trainBatchesPerEpoch();
        Optional<AugmentedBatch> last = StreamFrontier.lastBatch(
                reader,
                topics.trainBatches(),
                b -> b.kind() == BatchKind.TRAIN
                        && b.streamSeed() == settings.streamSeed()
                        && b.batchesInEpoch() == perEpoch);
        ResumePoint resume = new ResumePoint(0, 0, testSetComplete());
        if (last.isPresent()) {
            AugmentedBatch b = last.get();
            if (b.streamSeed() != settings.streamSeed() || b.batchesInEpoch() != perEpoch) {
                throw new IllegalStateException("topic " + topics.trainBatches() + " already holds a stream with seed "
                        + b.streamSeed()
                        + " and " + b.batchesInEpoch() + " batches per epoch, but ingest is configured for seed "
                        + settings.streamSeed() + " and " + perEpoch
                        + " batches per epoch: use the same dataset and settings, or other topics");
            }
            resume = b.batchIndex() + 1 == perEpoch
                    ? new ResumePoint(b.epoch() + 1, 0, resume.testSetComplete())
                    : new ResumePoint(b.epoch(), b.batchIndex() + 1, resume.testSetComplete());
        }
        return resume;
    }

    private boolean testSetComplete() {
        return StreamFrontier.lastBatch(
                        reader,
                        topics.testBatches(),
                        b -> b.kind() == BatchKind.TEST && b.streamSeed() == settings.streamSeed())
                .filter(t -> t.batchesInEpoch() == batches.testBatches() && t.batchIndex() == t.batchesInEpoch() - 1)
                .isPresent();
    }

    /** Publishes from {@code resume} to the last epoch, or until {@code stopping} says so. */
    public void run(ResumePoint resume, BooleanSupplier stopping) throws InterruptedException {
        InFlight inFlight = new InFlight();
        if (!resume.testSetComplete()) {
            listener.state("PUBLISHING_TEST_SET");
            for (int b = 0; b < batches.testBatches() && !stopping.getAsBoolean(); b++) {
                inFlight.send(topics.testBatches(), "test-" + b, batches.testBatch(b));
            }
            inFlight.drain();
        }
        TreeMap<Integer, EpochMarker> markers = StreamFrontier.markers(
                reader,
                topics.epochMarkers(),
                m -> m.streamSeed() == settings.streamSeed()
                        && m.batchesInEpoch() == batches.trainBatchesPerEpoch()
                        && m.topic().equals(topics.trainBatches())
                        && m.partition() == 0);
        for (int epoch = resume.epoch(); epoch < settings.epochs() && !stopping.getAsBoolean(); epoch++) {
            if (!awaitLead(epoch, markers, stopping)) {
                break;
            }
            if (!markers.containsKey(epoch)) {
                markers.put(epoch, publishMarker(epoch));
            }
            listener.epochStarted(epoch);
            listener.state("PUBLISHING");
            int first = epoch == resume.epoch() ? resume.batch() : 0;
            for (int b = first; b < batches.trainBatchesPerEpoch() && !stopping.getAsBoolean(); b++) {
                // One key per epoch; the topic has one partition, so the epoch's order is the shuffle's.
                inFlight.send(topics.trainBatches(), "epoch-" + epoch, batches.trainBatch(epoch, b));
            }
            inFlight.drain();
        }
        inFlight.drain();
        listener.state(stopping.getAsBoolean() ? "STOPPED" : "FINISHED");
    }

    private boolean awaitLead(int epoch, TreeMap<Integer, EpochMarker> markers, BooleanSupplier stopping)
            throws InterruptedException {
        while (!stopping.getAsBoolean()) {
            OptionalLong slowest = probe.slowestCommittedOffset();
            long end = streamEnd();
            int lead = governor.lead(epoch, slowest, markers, end);
            boolean may = governor.mayStart(epoch, slowest, markers, end);
            listener.lead(lead, !may);
            if (may) {
                return true;
            }
            listener.state("WAITING_FOR_CONSUMERS");
            Thread.sleep(settings.lagPollInterval().toMillis());
        }
        return false;
    }

    /** The train stream's next offset: where a new epoch starts. */
    private long streamEnd() throws InterruptedException {
        TopicPartition partition = new TopicPartition(topics.trainBatches(), 0);
        try {
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
                    .partitionResult(partition)
                    .get()
                    .offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the end of " + topics.trainBatches() + ": " + e.getCause(), e.getCause());
        }
    }

    private EpochMarker publishMarker(int epoch) throws InterruptedException {
        try {
            long next = streamEnd();
            EpochMarker marker = new EpochMarker(
                    EpochMarker.SCHEMA_VERSION,
                    settings.streamSeed(),
                    epoch,
                    batches.trainBatchesPerEpoch(),
                    batches.trainImages(),
                    topics.trainBatches(),
                    0,
                    next,
                    System.currentTimeMillis());
            producer.send(new ProducerRecord<>(topics.epochMarkers(), "epoch-" + epoch, marker.toJson()))
                    .get();
            return marker;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot publish the marker of epoch " + epoch + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        reader.close();
        admin.close(Duration.ofSeconds(5));
    }

    /** A window of sends awaiting the broker's acknowledgement. */
    private final class InFlight {
        private final ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();

        void send(String topic, String key, AugmentedBatch batch) throws InterruptedException {
            byte[] bytes = AugmentedBatchCodec.encode(batch);
            PublishedBatch published = PublishedBatch.of(batch, bytes.length); // the callback must not hold the pixels
            CompletableFuture<Void> ack = new CompletableFuture<>();
            long start = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, key, bytes), (metadata, error) -> {
                if (error != null) {
                    ack.completeExceptionally(error);
                } else {
                    listener.published(published, System.nanoTime() - start);
                    ack.complete(null);
                }
            });
            pending.add(ack);
            while (pending.size() >= settings.maxInFlight()) {
                await(pending.poll());
            }
        }

        void drain() throws InterruptedException {
            while (!pending.isEmpty()) {
                await(pending.poll());
            }
        }

        private void await(CompletableFuture<Void> ack) throws InterruptedException {
            try {
                ack.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "the broker did not acknowledge a batch: " + e.getCause(), e.getCause());
            }
        }
    }
}
