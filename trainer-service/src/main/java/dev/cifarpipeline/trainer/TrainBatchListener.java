package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.AugmentedBatch;
import dev.cifarpipeline.events.AugmentedBatchCodec;
import dev.cifarpipeline.events.Channels;
import dev.cifarpipeline.events.RecordFormatException;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Thin: decodes a batch record, hands it to the {@link TrainingRun}, publishes the checkpoint it may return.
 * A record that does not decode is counted and rethrown, and SmallRye's dead-letter strategy forwards it to
 * the dead-letter topic with the message as {@code dead-letter-reason}; consumption carries on.
 * {@code @Blocking} keeps the steps on one worker thread, in order.
 */
@ApplicationScoped
public class TrainBatchListener {
    private static final Logger LOG = Logger.getLogger(TrainBatchListener.class);

    private final TrainerConfig config;
    private final TrainerMetrics metrics;
    private final CheckpointPublisher publisher;
    private final TrainingRun run;

    public TrainBatchListener(TrainerConfig config, TrainerMetrics metrics, CheckpointPublisher publisher) {
        this.config = config;
        this.metrics = metrics;
        this.publisher = publisher;
        this.run = new TrainingRun(config.toSettings(), config.checkpointChunkBytes(), LOG::info);
        metrics.bind(config.runId());
        LOG.infof("run %s: %s, %d epoch(s), max lr %s, weight decay %s, momentum %s, seed %d", config.runId(),
                run.settings().model(), config.epochs(), config.maxLearningRate(), config.weightDecay(), config.momentum(), config.seed());
    }

    @Incoming(Channels.TRAIN_BATCHES_IN)
    @Blocking
    public void onBatch(byte[] record) {
        AugmentedBatch batch;
        try {
            batch = AugmentedBatchCodec.decode(record);
        } catch (RecordFormatException e) {
            metrics.deadLettered();
            LOG.warnf("batch record rejected, sent to the dead-letter topic: %s", e.getMessage());
            throw e;
        }
        metrics.received();
        StepReport report = run.accept(batch);
        metrics.report(report, batch.size(), run.completedEpochs());
        report.checkpoint().ifPresent(checkpoint -> {
            long start = System.nanoTime();
            publisher.publish(checkpoint, config.checkpointChunkBytes());
            metrics.checkpointPublished(checkpoint.bytes().length, (System.nanoTime() - start) / 1e9);
            if (run.finished()) {
                LOG.infof("run %s finished: %d epoch(s), %d steps", config.runId(), run.completedEpochs(), run.steps());
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        run.close();
    }
}
