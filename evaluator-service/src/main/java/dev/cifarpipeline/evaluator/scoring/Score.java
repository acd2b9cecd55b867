package dev.cifarpipeline.evaluator.scoring;

import dev.cifarpipeline.events.ImageGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint's score on the test set.
 *
 * @param correct   images whose highest logit is their label
 * @param images    images scored
 * @param meanLoss  mean cross-entropy
 * @param seconds   wall time of scoring (loading excluded)
 * @param confusion {@code confusion[label][predicted]}: images of each true class by the class predicted
 */
public record Score(int correct, int images, double meanLoss, double seconds, int[][] confusion) {
    public double accuracy() {
        return (double) correct / images;
    }

    /** Per class: the share of its test images classified correctly; null for a class with no test images. */
    public List<Double> perClassAccuracy() {
        List<Double> out = new ArrayList<>(ImageGeometry.CLASSES);
        for (int c = 0; c < ImageGeometry.CLASSES; c++) {
            int total = 0;
            for (int p = 0; p < ImageGeometry.CLASSES; p++) {
                total += confusion[c][p];
            }
            out.add(total == 0 ? null : (double) confusion[c][c] / total);
        }
        return out;
    }
}
