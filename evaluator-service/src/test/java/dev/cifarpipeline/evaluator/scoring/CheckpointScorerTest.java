package dev.cifarpipeline.evaluator.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.dataset.CifarSplit;
import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.ModelWeights;
import dev.cifarpipeline.model.PixelNormaliser;
import dev.cifarpipeline.model.VggInference;
import org.junit.jupiter.api.Test;

class CheckpointScorerTest {

    @Test
    void accuracyAndLossMatchAnIndependentComputationOnTheEngine() {
        CifarSplit split = SyntheticCifar.generate(130, 2, true);
        TestSet testSet = new TestSet(split.labels(), split.pixels());
        ModelSpec spec = ModelSpec.of("vgg11", "batchnorm");
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = VggInference.initialised(spec, 5, manager);
                PixelNormaliser normaliser = new PixelNormaliser(manager);
                CheckpointScorer scorer = new CheckpointScorer(50)) {
            byte[] weights = ModelWeights.save(net.block());
            Score score = scorer.score(spec, weights, testSet);

            // the same images in one batch, loss and arg-max computed by the engine
            NDArray logits = net.logits(normaliser.normalise(split.pixels(), 0, 130, manager));
            NDArray logProbabilities = logits.logSoftmax(1);
            float[] lp = logProbabilities.toFloatArray();
            long[] predicted = logits.argMax(1).toLongArray();
            double loss = 0;
            int correct = 0;
            for (int i = 0; i < 130; i++) {
                loss -= lp[i * 10 + split.labels()[i]];
                correct += predicted[i] == split.labels()[i] ? 1 : 0;
            }
            assertEquals(130, score.images());
            assertEquals(correct, score.correct());
            assertEquals(loss / 130, score.meanLoss(), 1e-4);
            assertEquals(Math.log(10), score.meanLoss(), 0.1, "an untrained net is near ln 10");
            assertTrue(score.seconds() > 0);
            // the confusion matrix counts every image once, by true and predicted class; its diagonal is what was right
            int total = 0;
            int diagonal = 0;
            for (int c = 0; c < 10; c++) {
                for (int p = 0; p < 10; p++) {
                    total += score.confusion()[c][p];
                }
                diagonal += score.confusion()[c][c];
            }
            assertEquals(130, total);
            assertEquals(correct, diagonal);
            int[] perLabel = new int[10];
            int[] rightPerLabel = new int[10];
            for (int i = 0; i < 130; i++) {
                perLabel[split.labels()[i]]++;
                rightPerLabel[split.labels()[i]] += predicted[i] == split.labels()[i] ? 1 : 0;
            }
            for (int c = 0; c < 10; c++) {
                Double expected = perLabel[c] == 0 ? null : (double) rightPerLabel[c] / perLabel[c];
                assertEquals(expected, score.perClassAccuracy().get(c), "class " + c);
                assertEquals(predictedCount(predicted, c), columnSum(score.confusion(), c), "predicted as " + c);
            }
        }
    }

    private static int predictedCount(long[] predicted, int c) {
        int n = 0;
        for (long p : predicted) {
            n += p == c ? 1 : 0;
        }
        return n;
    }

    private static int columnSum(int[][] confusion, int c) {
        int n = 0;
        for (int[] row : confusion) {
            n += row[c];
        }
        return n;
    }
}
