package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.AugmentedBatch;
import dev.cifarpipeline.events.AugmentedBatchCodec;
import dev.cifarpipeline.events.Channels;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.TrainingEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
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
    private final MutinyEmitter<byte[]> events;
    private long lastStepEnd;
    /** Where the stream is to be read next, per "topic:partition": what a checkpoint records. */
    private final Map<String, Long> positions = new HashMap<>();

    public TrainBatchListener(TrainerConfig config, TrainerMetrics metrics, CheckpointPublisher publisher,
                              @Channel(Channels.TRAINING_EVENTS_OUT) MutinyEmitter<byte[]> events,
                              RunRecovery recovery) {
        this.config = config;
        this.events = events;
        this.metrics = metrics;
        this.publisher = publisher;
        this.run = new TrainingRun(config.toSettings(), config.checkpointChunkBytes(), LOG::info);
        metrics.bind(config.runId());
        // A restart (or a move to another replica) continues from the run's latest complete checkpoint.
        // TrainerRebalanceListener seeks the stream to the same checkpoint's offsets.
        recovery.checkpoint().ifPresent(checkpoint -> {
            run.restore(checkpoint);
            positions.putAll(checkpoint.state().nextOffsets());
        });
        TrainingSettings s = run.settings();
        LOG.infof("run %s: preset %s, %s, %d epoch(s) of a %d-epoch OneCycle schedule, max lr %s, weight decay %s, %s, seed %d",
                s.runId(), s.preset().id(), s.model(), s.epochs(), s.scheduleEpochs(), s.maxLearningRate(), s.weightDecay(),
                s.cycleMomentum() ? "momentum cycled 0.95-0.85" : "momentum " + s.momentum(), s.seed());
    }

    @Incoming(Channels.TRAIN_BATCHES_IN)
    @Blocking
    public void onBatch(ConsumerRecord<String, byte[]> record) {
        if (lastStepEnd != 0) {
            metrics.waitedForData((System.nanoTime() - lastStepEnd) / 1e9);
        }
        try {
            handle(record);
        } finally {
            lastStepEnd = System.nanoTime();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        positions.put(record.topic() + ":" + record.partition(), record.offset() + 1);
        AugmentedBatch batch;
        try {
            batch = AugmentedBatchCodec.decode(record.value());
        } catch (RecordFormatException e) {
            metrics.deadLettered();
            LOG.warnf("batch record rejected, sent to the dead-letter topic: %s", e.getMessage());
            throw e;
        }
        metrics.received();
        StepReport report = run.accept(batch, positions);
        metrics.report(report, batch.size(), run.completedEpochs());
        report.divergence().ifPresent(reason -> {
            LOG.errorf("run %s DIVERGED at step %d: %s", config.runId(), report.step(), reason);
            publishEvent(TrainingEvent.DIVERGED, batch.epoch() + 1, report.step(), reason);
        });
        report.checkpoint().ifPresent(checkpoint -> {
            long start = System.nanoTime();
            publisher.publish(checkpoint, config.checkpointChunkBytes());
            metrics.checkpointPublished(checkpoint.bytes().length, (System.nanoTime() - start) / 1e9);
            if (run.finished()) {
                LOG.infof("run %s finished: %d epoch(s), %d steps", config.runId(), run.completedEpochs(), run.steps());
                publishEvent(TrainingEvent.FINISHED, run.completedEpochs(), run.steps(),
                        run.completedEpochs() + " epoch(s), " + run.steps() + " steps");
            }
        });
    }

    private void publishEvent(String type, int epoch, long step, String message) {
        TrainingEvent event = new TrainingEvent(TrainingEvent.SCHEMA_VERSION, config.runId(), type, epoch, step, message,
                System.currentTimeMillis());
        events.sendMessage(KafkaRecord.of(config.runId(), event.toJson())).await().indefinitely();
    }

    void onStop(@Observes ShutdownEvent event) {
        run.close();
    }
}
