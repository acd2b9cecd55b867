package dev.cifarpipeline.evaluator;

import dev.cifarpipeline.evaluator.scoring.TestSetCache;
import dev.cifarpipeline.events.Channels;
import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Thin: decodes test-set batches into the {@link TestSetCache}; a bad record is counted and dead-lettered. */
@ApplicationScoped
public class TestSetListener {
    private static final Logger LOG = Logger.getLogger(TestSetListener.class);

    private final TestSetCache cache;
    private final EvaluatorMetrics metrics;

    public TestSetListener(TestSetCache cache, EvaluatorMetrics metrics) {
        this.cache = cache;
        this.metrics = metrics;
    }

    @Incoming(Channels.TEST_BATCHES_IN)
    public void onTestBatch(byte[] record) {
        try {
            cache.accept(AugmentedBatchCodec.decode(record));
        } catch (RecordFormatException | IllegalArgumentException e) {
            metrics.deadLettered(EvaluatorMetrics.TEST_BATCHES);
            LOG.warnf("test-set record rejected, sent to the dead-letter topic: %s", e.getMessage());
            throw e;
        }
        cache.current().ifPresent(t -> LOG.debugf("test set complete: %d images", t.size()));
    }
}
