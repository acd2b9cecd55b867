package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.evaluator.results.BestModels;
import dev.cifarpipeline.evaluator.results.ResultBook;
import dev.cifarpipeline.evaluator.results.ResultLog;
import dev.cifarpipeline.evaluator.scoring.CheckpointEvaluator;
import dev.cifarpipeline.evaluator.scoring.CheckpointScorer;
import dev.cifarpipeline.evaluator.scoring.ScoringPriority;
import dev.cifarpipeline.evaluator.scoring.TestSet;
import dev.cifarpipeline.evaluator.scoring.TestSetCache;
import dev.cifarpipeline.evaluator.stream.CheckpointStream;
import dev.cifarpipeline.evaluator.stream.EvaluatorOutputs;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.access.ApiAccess;
import dev.cifarpipeline.events.checkpoint.CheckpointAssembler;
import dev.cifarpipeline.events.checkpoint.VerifiedCheckpoint;
import dev.cifarpipeline.events.kafka.GroupMembership;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.PipelineTopics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * The evaluator's lifecycle: makes sure its topics exist, follows the results topic ({@link ResultLog}), joins
 * the evaluators' group on the checkpoints topic ({@link CheckpointStream}) and scores what it is given.
 */
@ApplicationScoped
public class EvaluatorNode {
    private static final Logger LOG = Logger.getLogger(EvaluatorNode.class);

    private final EvaluatorConfig config;
    private final EvaluatorMetrics metrics;
    private final TestSetCache testSet;
    private final Map<String, Object> kafka;
    private final PipelineTopics topics;
    private final String evaluatorId;
    private final ResultBook book = new ResultBook();
    private final Config settings;
    private ApiAccess apiAccess = ApiAccess.closed();
    private CheckpointScorer scorer;
    /**
     * HTTP's own scorer (/score, /predict): a request never waits on the stream's scorer, and pauses between its
     * batches while the stream scores, so it cannot hold the stream's scoring past the group's poll interval.
     */
    private CheckpointScorer requestScorer;

    private CheckpointEvaluator evaluator;
    private BestModels best;
    private EvaluatorOutputs outputs;
    private ResultLog resultLog;
    private CheckpointStream stream;

    public EvaluatorNode(
            EvaluatorConfig config,
            EvaluatorMetrics metrics,
            TestSetCache testSet,
            @Identifier("default-kafka-broker") Map<String, Object> kafka,
            Config settings) {
        this.config = config;
        this.metrics = metrics;
        this.testSet = testSet;
        this.kafka = kafka;
        this.settings = settings;
        this.topics = PipelineTopics.from(key -> settings.getOptionalValue(key, String.class));
        this.evaluatorId = config.id().orElseGet(() -> KafkaClients.defaultInstanceId("evaluator"));
    }

    /** Who may score uploaded models through this evaluator's API. */
    public ApiAccess apiAccess() {
        return apiAccess;
    }

    void onStart(@Observes StartupEvent event) throws InterruptedException {
        try {
            config.validate();
            apiAccess = ApiAccess.from(key -> settings.getOptionalValue(key, String.class));
            LOG.infof("evaluator %s: %s", evaluatorId, apiAccess.describe());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            LOG.errorf("evaluator-service cannot start: %s", e.getMessage());
            throw e;
        }
        try (Admin admin = Admin.create(kafka)) {
            TopicSpec.ensure(
                    admin,
                    List.of(
                            TopicSpec.checkpoints(topics.checkpoints(), TopicSpec.DEFAULT_PARTITIONS),
                            TopicSpec.events(topics.evaluationResults(), TopicSpec.DEFAULT_PARTITIONS),
                            TopicSpec.deadLetter(topics.deadLetter())));
        }
        metrics.registerCounters();
        ScoringPriority priority = new ScoringPriority(Duration.ofSeconds(30));
        scorer = new CheckpointScorer(config.batchSize(), priority, true);
        requestScorer = new CheckpointScorer(config.batchSize(), priority, false);
        evaluator = new CheckpointEvaluator(scorer);
        best = new BestModels(book, kafka, topics.checkpoints(), config.maxCheckpointBytes());
        outputs = new EvaluatorOutputs(kafka, topics.evaluationResults(), topics.deadLetter(), evaluatorId, LOG::info);
        resultLog = new ResultLog(kafka, topics.evaluationResults(), book, this::observed, LOG::info)
                .onUnreadable(metrics::unreadableResult);
        resultLog.start();
        stream = new CheckpointStream(
                kafka,
                topics.checkpoints(),
                new GroupMembership(config.group(), evaluatorId, config.sessionTimeout(), true),
                new CheckpointAssembler(config.maxPendingCheckpoints(), config.maxCheckpointBytes()),
                book,
                resultLog,
                new CheckpointStream.Handler() {
                    @Override
                    public boolean score(VerifiedCheckpoint checkpoint, CheckpointStream.CommitPoint commit)
                            throws InterruptedException {
                        return EvaluatorNode.this.score(checkpoint, commit);
                    }

                    @Override
                    public void reject(ConsumerRecord<String, byte[]> record, String reason) {
                        metrics.deadLettered(EvaluatorMetrics.CHECKPOINTS);
                        outputs.deadLetter(record, reason);
                    }
                },
                LOG::info);
        stream.start();
        LOG.infof(
                "evaluator %s: joining group %s on %s; results to %s",
                evaluatorId, config.group(), topics.checkpoints(), topics.evaluationResults());
    }

    private boolean score(VerifiedCheckpoint checkpoint, CheckpointStream.CommitPoint commit)
            throws InterruptedException {
        var m = checkpoint.manifest();
        metrics.verified(m.runId(), m.createdAtMillis());
        TestSet tests;
        try {
            tests = testSet.await(config.testSetTimeout());
        } catch (IllegalStateException e) {
            // No complete test set yet (ingest not started, or slow): the checkpoint waits for one; it is not lost.
            throw new CheckpointStream.NotReady(e.getMessage());
        }
        LOG.infof(
                "scoring checkpoint %s of run %s (epoch %d, step %d) on %d test images",
                m.checkpointId(), m.runId(), m.epoch(), m.step(), tests.size());
        CheckpointEvaluator.Evaluated scored;
        try {
            scored = evaluator.evaluate(checkpoint, tests);
        } catch (RuntimeException | Error e) {
            // Whatever the engine throws for this checkpoint (an Error from native code included) is the checkpoint's
            // failure: it is dead-lettered with the reason, and the stream goes on with the next one.
            metrics.scoringFailed(m.runId());
            throw new IllegalArgumentException("checkpoint " + m.checkpointId() + " cannot be scored: " + e, e);
        }
        EvaluationResult result = scored.result();
        if (!outputs.result(result, commit.offsets(), commit.group())) {
            metrics.discarded(m.runId());
            return false;
        }
        book.add(result);
        observed(result);
        best.offer(scored);
        metrics.scored(result);
        LOG.infof(
                "run %s checkpoint %s (epoch %d, step %d): test accuracy %.2f %%, mean loss %.4f, scored in %.1f s",
                m.runId(),
                m.checkpointId(),
                m.epoch(),
                m.step(),
                100 * result.accuracy(),
                result.meanLoss(),
                result.scoringSeconds());
        return true;
    }

    private void observed(EvaluationResult result) {
        metrics.observed(
                result,
                book.best(result.runId()).map(EvaluationResult::accuracy).orElse(Double.NaN));
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (stream != null) {
            stream.close();
        }
        if (resultLog != null) {
            resultLog.close();
        }
        if (outputs != null) {
            outputs.close();
        }
        if (best != null) {
            best.close();
        }
        if (requestScorer != null) {
            requestScorer.close();
        }
        if (scorer != null) {
            scorer.close();
        }
    }

    public ResultBook book() {
        return book;
    }

    public BestModels bestModels() {
        return best;
    }

    /** The scorer for HTTP requests, apart from the one that scores the checkpoints stream. */
    public CheckpointScorer requestScorer() {
        return requestScorer;
    }

    public TestSetCache testSet() {
        return testSet;
    }

    public String evaluatorId() {
        return evaluatorId;
    }

    public boolean ready() {
        return stream != null && stream.joined();
    }

    /** Live while the checkpoint stream runs and the results topic is followed (without it, duplicates would go unseen). */
    public boolean alive() {
        return (stream == null || stream.alive()) && (resultLog == null || resultLog.alive());
    }

    public String problem() {
        if (stream != null && stream.failure() != null) {
            return "checkpoint stream stopped: " + stream.failure().getMessage();
        }
        return resultLog != null && resultLog.failure() != null
                ? "result log stopped: " + resultLog.failure().getMessage()
                : "";
    }
}
