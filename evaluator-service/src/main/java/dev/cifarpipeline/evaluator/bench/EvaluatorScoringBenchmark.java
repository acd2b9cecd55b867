package dev.cifarpipeline.evaluator.bench;

import ai.djl.ndarray.NDManager;
import dev.cifarpipeline.evaluator.scoring.CheckpointScorer;
import dev.cifarpipeline.evaluator.scoring.Score;
import dev.cifarpipeline.evaluator.scoring.TestSet;
import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.model.ModelSpec;
import dev.cifarpipeline.model.VggInference;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Scoring alone, the work of the seed's {@code test()} loop ({@code tools/reference/seed_test_loop.py} times
 * that loop): the evaluator's {@link CheckpointScorer} over a 10,000-image test set of stored uint8 images in
 * batches of 100 (normalise, forward, loss, arg-max, confusion), the seed's VGG11. Rounds after a warm-up; prints one JSON line with the median round.
 *
 * <p>Arguments: images (default 10000), rounds (3), layout (seed), batch size (100, the seed's).
 */
public final class EvaluatorScoringBenchmark {
    private EvaluatorScoringBenchmark() {}

    public static void main(String[] args) {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String layout = args.length > 2 ? args[2] : "seed";
        int batchSize = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        Random random = new Random(0);
        byte[] labels = new byte[images];
        byte[] pixels = new byte[images * ImageGeometry.BYTES_PER_IMAGE];
        for (int i = 0; i < images; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        random.nextBytes(pixels);
        TestSet testSet = new TestSet(labels, pixels);
        double[] seconds = new double[rounds];
        try (NDManager manager = NDManager.newBaseManager();
                VggInference net = VggInference.initialised(ModelSpec.of("vgg11", layout), 0, manager);
                CheckpointScorer scorer = new CheckpointScorer(batchSize)) {
            scorer.score(
                    net,
                    new TestSet(
                            Arrays.copyOf(labels, 500),
                            Arrays.copyOf(pixels, 500 * ImageGeometry.BYTES_PER_IMAGE))); // warm-up
            for (int r = 0; r < rounds; r++) {
                Score score = scorer.score(net, testSet);
                seconds[r] = score.seconds();
            }
        }
        Arrays.sort(seconds);
        double median = seconds[rounds / 2];
        System.out.printf(
                Locale.ROOT,
                "{\"layout\":\"%s\",\"batch\":%d,\"images\":%d,\"evaluator_seconds\":%.2f,\"evaluator_images_per_s\":%.1f}%n",
                layout,
                batchSize,
                images,
                median,
                images / median);
    }
}
