package dev.cifarpipeline.evaluator;

/**
 * A checkpoint's score on the test set.
 *
 * @param correct   images whose highest logit is their label
 * @param images    images scored
 * @param meanLoss  mean cross-entropy
 * @param seconds   wall time of scoring (loading excluded)
 */
public record Score(int correct, int images, double meanLoss, double seconds) {
    public double accuracy() {
        return (double) correct / images;
    }
}
