package dev.cifarpipeline.evaluator.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.PixelNormaliser;
import dev.cifarpipeline.model.VggInference;
import java.time.Duration;

/**
 * Thread-safe (one scoring at a time). The evaluator has two: the checkpoint stream's and the REST endpoints', tied
 * by a {@link ScoringPriority} under which the stream's goes first (a request's pauses between batches while the
 * stream scores). Scores weights on a test set the way the seed's {@code test()} does: inference mode, batches of 100, accuracy
 * of the arg-max, plus the mean cross-entropy and the confusion matrix (per-class accuracy follows from it). Each batch's arrays live in a sub-manager closed after it.
 */
public final class CheckpointScorer implements AutoCloseable {
    private final NDManager manager = NDManager.newBaseManager();
    private final PixelNormaliser normaliser = new PixelNormaliser(manager);
    private final int batchSize;
    private final ScoringPriority priority;
    private final boolean stream;

    /** A scorer on its own, with nothing to give way to. */
    public CheckpointScorer(int batchSize) {
        this(batchSize, new ScoringPriority(Duration.ZERO), true);
    }

    /** The stream's scorer ({@code stream}), which goes first under {@code priority}, or a request scorer, which yields. */
    public CheckpointScorer(int batchSize, ScoringPriority priority, boolean stream) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("scoring batch size must be positive, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.priority = priority;
        this.stream = stream;
    }

    public synchronized Score score(ModelSpec spec, byte[] weights, TestSet testSet) {
        try (VggInference net = VggInference.fromWeights(spec, weights, manager)) {
            return score(net, testSet);
        }
    }

    public synchronized Score score(VggInference net, TestSet testSet) {
        if (!stream) {
            return scoreBatches(net, testSet, priority.pauseDeadline());
        }
        priority.streamStarts();
        try {
            return scoreBatches(net, testSet, 0);
        } finally {
            priority.streamEnds();
        }
    }

    private Score scoreBatches(VggInference net, TestSet testSet, long pauseDeadline) {
        long start = System.nanoTime();
        int correct = 0;
        double lossSum = 0;
        int[][] confusion = new int[ImageGeometry.CLASSES][ImageGeometry.CLASSES];
        for (int from = 0; from < testSet.size(); from += batchSize) {
            int count = Math.min(batchSize, testSet.size() - from);
            if (!stream) {
                priority.yieldToStream(pauseDeadline);
            }
            float[] logits;
            try (NDManager step = manager.newSubManager()) {
                NDArray input =
                        normaliser.normalise(testSet.pixels(), from * ImageGeometry.BYTES_PER_IMAGE, count, step);
                logits = net.logits(input).toFloatArray();
            }
            for (int i = 0; i < count; i++) {
                int label = testSet.labels()[from + i];
                int offset = i * ImageGeometry.CLASSES;
                int best = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < ImageGeometry.CLASSES; c++) {
                    if (logits[offset + c] > max) {
                        max = logits[offset + c];
                        best = c;
                    }
                }
                double sumExp = 0;
                for (int c = 0; c < ImageGeometry.CLASSES; c++) {
                    sumExp += Math.exp(logits[offset + c] - max);
                }
                lossSum += max + Math.log(sumExp) - logits[offset + label]; // log-sum-exp − logit of the label
                if (best == label) {
                    correct++;
                }
                confusion[label][best]++;
            }
        }
        return new Score(
                correct, testSet.size(), lossSum / testSet.size(), (System.nanoTime() - start) / 1e9, confusion);
    }

    /** Softmax probabilities of one CHW uint8 image (3,072 bytes), in label order. */
    public synchronized double[] probabilities(VggInference net, byte[] chw) {
        float[] logits;
        try (NDManager step = manager.newSubManager()) {
            logits = net.logits(normaliser.normalise(chw, 0, 1, step)).toFloatArray();
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int c = 0; c < logits.length; c++) {
            p[c] = Math.exp(logits[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < p.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    @Override
    public synchronized void close() {
        normaliser.close();
        manager.close();
    }
}
