package dev.cifarpipeline.trainer.training;

/** Mean of the last {@code size} losses, as the seed reports (it averages over 100 iterations). */
public final class LossWindow {
    private final double[] values;
    private int count;
    private int next;
    private double sum;

    public LossWindow(int size) {
        values = new double[size];
    }

    public void add(double loss) {
        if (count == values.length) {
            sum -= values[next];
        } else {
            count++;
        }
        values[next] = loss;
        sum += loss;
        next = (next + 1) % values.length;
    }

    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }
}
