package dev.cifarpipeline.ingest;

import dev.cifarpipeline.dataset.CifarDataset;
import dev.cifarpipeline.dataset.CifarDatasets;
import dev.cifarpipeline.dataset.CifarDownloader;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.ingest.augment.BatchFactory;
import dev.cifarpipeline.ingest.stream.PublishListener;
import dev.cifarpipeline.ingest.stream.PublishedBatch;
import dev.cifarpipeline.ingest.stream.StreamPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The service's lifecycle around {@link StreamPublisher}: validates configuration and dataset at start (a bad
 * path or layout stops the service with a message naming it), then streams on a thread of its own.
 */
@ApplicationScoped
public class DatasetPublisher implements PublishListener {
    private static final Logger LOG = Logger.getLogger(DatasetPublisher.class);

    private final IngestConfig config;
    private final IngestMetrics metrics;
    private final Map<String, Object> kafka;
    private final PipelineTopics topics;
    private volatile IngestStatus status = new IngestStatus("STARTING", null, null, 0, 0, 0, 0, -1, 0, null, null);
    private volatile boolean stopping;
    private volatile boolean topicsReady;
    private Thread worker;

    public DatasetPublisher(
            IngestConfig config,
            IngestMetrics metrics,
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            Config settings) {
        this.config = config;
        this.metrics = metrics;
        this.kafka = kafka;
        this.topics = PipelineTopics.from(key -> settings.getOptionalValue(key, String.class));
    }

    void onStart(@Observes StartupEvent event) {
        CifarDataset dataset;
        try {
            config.validate();
            if (config.download().enabled()) {
                LOG.info(new CifarDownloader(LOG::info)
                        .ensure(
                                config.datasetDir(),
                                config.download().url(),
                                config.download().checksum())
                        .message());
            }
            dataset = CifarDatasets.read(config.datasetDir());
        } catch (RuntimeException e) {
            // One line a person can act on, before Quarkus prints the stack and exits non-zero.
            LOG.errorf("data-ingest-service cannot start: %s", e.getMessage());
            throw e;
        }
        BatchFactory batches =
                new BatchFactory(dataset, config.streamSeed(), config.batchSize(), config.testBatchSize());
        LOG.infof(
                "dataset %s (%s): %d train, %d test images; stream of %d epoch(s) of %d batches of %d, seed %d, at most %d epoch(s) ahead",
                dataset.source(),
                dataset.layout(),
                dataset.train().size(),
                dataset.test().size(),
                config.epochs(),
                batches.trainBatchesPerEpoch(),
                config.batchSize(),
                config.streamSeed(),
                config.maxEpochsAhead());
        status = new IngestStatus(
                "STARTING",
                dataset.source().toString(),
                dataset.layout(),
                dataset.train().size(),
                dataset.test().size(),
                batches.trainBatchesPerEpoch(),
                config.epochs(),
                -1,
                0,
                null,
                null);
        worker = new Thread(() -> stream(batches), "stream-publisher");
        worker.setDaemon(true);
        worker.start();
    }

    private void stream(BatchFactory batches) {
        StreamPublisher.Settings settings = new StreamPublisher.Settings(
                config.epochs(),
                config.streamSeed(),
                config.maxInFlight(),
                config.maxEpochsAhead(),
                config.lagPollInterval(),
                config.compression());
        Duration pause = KafkaClients.FIRST_RETRY_PAUSE;
        while (!stopping) {
            try (StreamPublisher publisher = new StreamPublisher(batches, topics, kafka, settings, this)) {
                StreamPublisher.ResumePoint resume = publisher.prepare();
                topicsReady = true;
                String at = "epoch " + resume.epoch() + " batch " + resume.batch();
                status = with(status.state(), status.epoch(), status.leadEpochs(), at, null);
                LOG.infof(
                        "topics ready; publishing from %s%s",
                        at, resume.testSetComplete() ? " (test set already complete)" : "");
                publisher.run(resume, () -> stopping);
                LOG.infof("stream %s: %d epoch(s)", status.state().toLowerCase(), config.epochs());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!KafkaClients.transientFailure(e)) {
                    LOG.error("publishing stopped: " + e.getMessage(), e);
                    status = with("FAILED", status.epoch(), status.leadEpochs(), status.resumedAt(), e.getMessage());
                    return;
                }
                // The broker is away past a client timeout: publishing resumes where the stream ends once it is back
                // (the idempotent producer kept what it stored in order, and the resume point is read from the topic).
                LOG.warnf("publishing paused: %s; resuming in %d s", e.getMessage(), pause.toSeconds());
                status = with(
                        "WAITING_FOR_BROKER", status.epoch(), status.leadEpochs(), status.resumedAt(), e.getMessage());
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause = KafkaClients.longerPause(pause);
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        if (worker != null) {
            worker.join(15_000);
        }
    }

    public IngestStatus status() {
        return status;
    }

    /** Ready once the dataset validated, the topics exist and publishing has not failed. */
    public boolean ready() {
        return topicsReady && !"FAILED".equals(status.state());
    }

    @Override
    public void published(PublishedBatch batch, long latencyNanos) {
        metrics.published(batch, latencyNanos);
    }

    @Override
    public void epochStarted(int epoch) {
        metrics.epochStarted(epoch);
        status = with(status.state(), epoch, status.leadEpochs(), status.resumedAt(), null);
        LOG.infof("epoch %d: publishing", epoch);
    }

    @Override
    public void lead(int epochsAhead, boolean waiting) {
        metrics.lead(epochsAhead, waiting);
        status = with(status.state(), status.epoch(), epochsAhead, status.resumedAt(), null);
    }

    @Override
    public void state(String state) {
        if (!state.equals(status.state()) && "WAITING_FOR_CONSUMERS".equals(state)) {
            LOG.infof(
                    "holding back: the slowest run is %d epoch(s) behind (limit %d)",
                    status.leadEpochs(), config.maxEpochsAhead());
        }
        status = with(state, status.epoch(), status.leadEpochs(), status.resumedAt(), null);
    }

    private IngestStatus with(String state, int epoch, int lead, String resumedAt, String error) {
        IngestStatus s = status;
        return new IngestStatus(
                state,
                s.dataset(),
                s.layout(),
                s.trainImages(),
                s.testImages(),
                s.batchesPerEpoch(),
                s.epochs(),
                epoch,
                lead,
                resumedAt,
                error);
    }
}
