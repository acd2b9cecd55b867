package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.events.Channels;
import dev.cifarpipeline.events.CheckpointAssembler;
import dev.cifarpipeline.events.CheckpointManifest;
import dev.cifarpipeline.events.CheckpointRecordCodec;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.VerifiedCheckpoint;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.TrainingCheckpoint;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Thin: decodes checkpoint records, lets the {@link CheckpointAssembler} reassemble and verify them, scores a
 * verified checkpoint with the {@link CheckpointScorer}, and publishes the {@link EvaluationResult}. A record
 * that does not decode, or a checkpoint whose bytes do not match its manifest, is counted and dead-lettered
 * (nothing is loaded from it) and consumption carries on.
 */
@ApplicationScoped
public class CheckpointListener {
    private static final Logger LOG = Logger.getLogger(CheckpointListener.class);

    private final EvaluatorConfig config;
    private final TestSetCache testSet;
    private final EvaluatorMetrics metrics;
    private final ResultBook book;
    private final MutinyEmitter<byte[]> results;
    private final CheckpointAssembler assembler;
    private final CheckpointScorer scorer;

    public CheckpointListener(EvaluatorConfig config, TestSetCache testSet, EvaluatorMetrics metrics, ResultBook book,
                              @Channel(Channels.EVALUATION_RESULTS_OUT) MutinyEmitter<byte[]> results) {
        this.config = config;
        this.testSet = testSet;
        this.metrics = metrics;
        this.book = book;
        this.results = results;
        this.assembler = new CheckpointAssembler(config.maxPendingCheckpoints(), config.maxCheckpointBytes());
        this.scorer = new CheckpointScorer(config.batchSize());
    }

    @Incoming(Channels.CHECKPOINTS_IN)
    @Blocking
    public void onCheckpointRecord(byte[] record) throws InterruptedException {
        Optional<VerifiedCheckpoint> verified;
        ModelSpec spec;
        byte[] weights;
        try {
            verified = assembler.accept(CheckpointRecordCodec.decode(record));
            if (verified.isEmpty()) {
                return;
            }
            CheckpointManifest m = verified.get().manifest();
            spec = ModelSpec.of(m.model(), m.layout());
            if (!TrainingCheckpoint.FORMAT.equals(m.format())) {
                throw new RecordFormatException("checkpoint " + m.checkpointId() + " has format '" + m.format() + "', this evaluator reads "
                        + TrainingCheckpoint.FORMAT);
            }
            weights = TrainingCheckpoint.decode(verified.get().bytes()).weights();
        } catch (RecordFormatException | IllegalArgumentException e) {
            metrics.deadLettered("checkpoints");
            LOG.warnf("checkpoint record rejected, sent to the dead-letter topic: %s", e.getMessage());
            throw e;
        }
        CheckpointManifest manifest = verified.get().manifest();
        TestSet tests = testSet.await(config.testSetTimeout());
        Score score = scorer.score(spec, weights, tests);
        EvaluationResult result = new EvaluationResult(EvaluationResult.SCHEMA_VERSION, manifest.runId(),
                manifest.checkpointId(), manifest.epoch(), manifest.step(), score.accuracy(), score.meanLoss(),
                score.images(), score.seconds(), System.currentTimeMillis());
        results.sendMessage(KafkaRecord.of(manifest.runId(), result.toJson())).await().indefinitely();
        book.add(result);
        metrics.scored(result);
        LOG.infof("run %s checkpoint %s (epoch %d, step %d): test accuracy %.2f %% (%d/%d), mean loss %.4f, scored in %.1f s",
                manifest.runId(), manifest.checkpointId(), manifest.epoch(), manifest.step(), 100 * score.accuracy(),
                score.correct(), score.images(), score.meanLoss(), score.seconds());
    }

    void onStop(@Observes ShutdownEvent event) {
        scorer.close();
    }
}
