package dev.cifarpipeline.ingest;

import dev.cifarpipeline.dataset.CifarBinaryReader;
import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.events.AugmentedBatch;
import dev.cifarpipeline.events.AugmentedBatchCodec;
import dev.cifarpipeline.events.Channels;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Validates the dataset at start (a bad path or layout stops the service with a message naming it), then
 * publishes the test set and the configured epochs of augmented training batches on a thread of its own.
 */
@ApplicationScoped
public class DatasetPublisher {
    private static final Logger LOG = Logger.getLogger(DatasetPublisher.class);

    private final IngestConfig config;
    private final IngestMetrics metrics;
    private final MutinyEmitter<byte[]> trainBatches;
    private final MutinyEmitter<byte[]> testBatches;
    private final AtomicReference<IngestStatus> status = new AtomicReference<>(IngestStatus.starting());
    private volatile boolean stopping;
    private Thread worker;

    public DatasetPublisher(IngestConfig config, IngestMetrics metrics,
                            @Channel(Channels.TRAIN_BATCHES_OUT) MutinyEmitter<byte[]> trainBatches,
                            @Channel(Channels.TEST_BATCHES_OUT) MutinyEmitter<byte[]> testBatches) {
        this.config = config;
        this.metrics = metrics;
        this.trainBatches = trainBatches;
        this.testBatches = testBatches;
    }

    void onStart(@Observes StartupEvent event) {
        CifarDataset dataset;
        try {
            config.validate();
            dataset = CifarBinaryReader.read(config.datasetDir());
        } catch (RuntimeException e) {
            // One line a person can act on, before Quarkus prints the stack and exits non-zero.
            LOG.errorf("data-ingest-service cannot start: %s", e.getMessage());
            throw e;
        }
        BatchFactory batches = new BatchFactory(dataset, config.streamSeed(), config.batchSize(), config.testBatchSize());
        LOG.infof("dataset %s: %d train, %d test images; publishing %d epoch(s) of %d batches of %d, stream seed %d",
                dataset.source(), dataset.train().size(), dataset.test().size(), config.epochs(),
                batches.trainBatchesPerEpoch(), config.batchSize(), config.streamSeed());
        status.set(IngestStatus.validated(dataset, batches, config.epochs()));
        worker = new Thread(() -> publishAll(batches), "dataset-publisher");
        worker.setDaemon(true);
        worker.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        if (worker != null) {
            worker.join(10_000);
        }
    }

    public IngestStatus status() {
        return status.get();
    }

    private void publishAll(BatchFactory batches) {
        try {
            InFlight inFlight = new InFlight(config.maxInFlight());
            for (int b = 0; b < batches.testBatches() && !stopping; b++) {
                inFlight.send(testBatches, "test-" + b, batches.testBatch(b));
            }
            inFlight.drain();
            status.updateAndGet(s -> s.withTestSetPublished());
            LOG.infof("test set published: %d batches", batches.testBatches());
            for (int epoch = 0; epoch < config.epochs() && !stopping; epoch++) {
                metrics.epochStarted(epoch);
                for (int b = 0; b < batches.trainBatchesPerEpoch() && !stopping; b++) {
                    // One key per epoch keeps an epoch's batches in one partition, in order.
                    inFlight.send(trainBatches, "epoch-" + epoch, batches.trainBatch(epoch, b));
                }
                inFlight.drain();
                final int done = epoch + 1;
                status.updateAndGet(s -> s.withEpochsPublished(done));
                LOG.infof("epoch %d published: %d batches", epoch, batches.trainBatchesPerEpoch());
            }
            status.updateAndGet(IngestStatus::finished);
        } catch (RuntimeException e) {
            LOG.error("publishing stopped", e);
            status.updateAndGet(s -> s.failed(e.toString()));
        }
    }

    /** A window of sends awaiting the broker's acknowledgement. */
    private final class InFlight {
        private final int limit;
        private final ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();

        InFlight(int limit) {
            this.limit = limit;
        }

        void send(MutinyEmitter<byte[]> emitter, String key, AugmentedBatch batch) {
            byte[] bytes = AugmentedBatchCodec.encode(batch);
            CompletableFuture<Void> ack = emitter.sendMessage(KafkaRecord.of(key, bytes)).subscribeAsCompletionStage()
                    .thenRun(() -> metrics.published(batch, bytes.length));
            pending.add(ack);
            while (pending.size() >= limit) {
                pending.poll().join();
            }
        }

        void drain() {
            while (!pending.isEmpty()) {
                pending.poll().join();
            }
        }
    }
}
