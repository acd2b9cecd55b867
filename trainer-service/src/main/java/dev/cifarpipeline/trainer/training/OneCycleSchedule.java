package dev.cifarpipeline.trainer.training;

/**
 * PyTorch's {@code torch.optim.lr_scheduler.OneCycleLR} with {@code anneal_strategy='cos'} and
 * {@code three_phase=False}: the learning rate rises from {@code maxLr / divFactor} to {@code maxLr} over the
 * first {@code pctStart} of the steps, then falls to {@code maxLr / divFactor / finalDivFactor}; the momentum
 * (with the default {@code cycle_momentum=True}) moves the opposite way, from {@code maxMomentum} to
 * {@code baseMomentum} and back. PyTorch writes that momentum into the optimizer whatever momentum it was built
 * with, which is why the seed's "momentum-free" SGD trains with momentum 0.85–0.95.
 *
 * <p>Step {@code k} is the value in force for the (k+1)-th optimizer step, i.e. after {@code k} calls of
 * {@code scheduler.step()}.
 */
public record OneCycleSchedule(
        double maxLr,
        long totalSteps,
        double pctStart,
        double divFactor,
        double finalDivFactor,
        double baseMomentum,
        double maxMomentum) {

    public OneCycleSchedule {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be positive, got " + totalSteps);
        }
        if (pctStart <= 0 || pctStart >= 1) {
            throw new IllegalArgumentException("pct_start must be in (0, 1), got " + pctStart);
        }
        if (maxLr <= 0) {
            throw new IllegalArgumentException("max learning rate must be positive, got " + maxLr);
        }
    }

    /** PyTorch's defaults: pct_start 0.3, div_factor 25, final_div_factor 1e4, momentum 0.85–0.95. */
    public static OneCycleSchedule pytorchDefaults(double maxLr, long totalSteps) {
        return new OneCycleSchedule(maxLr, totalSteps, 0.3, 25, 1e4, 0.85, 0.95);
    }

    public double initialLr() {
        return maxLr / divFactor;
    }

    public double minLr() {
        return initialLr() / finalDivFactor;
    }

    public double learningRate(long step) {
        return phaseValue(step, initialLr(), maxLr, minLr());
    }

    public double momentum(long step) {
        return phaseValue(step, maxMomentum, baseMomentum, maxMomentum);
    }

    private double phaseValue(long step, double start, double peak, double end) {
        if (step < 0 || step > totalSteps) {
            // PyTorch raises past total_steps; so do we, rather than extrapolate silently.
            throw new IllegalArgumentException("step " + step + " is outside the schedule's 0.." + totalSteps);
        }
        double endOfRise = pctStart * totalSteps - 1;
        if (step <= endOfRise) {
            return cosine(start, peak, step / endOfRise);
        }
        return cosine(peak, end, (step - endOfRise) / (totalSteps - 1 - endOfRise));
    }

    private static double cosine(double start, double end, double pct) {
        return end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
    }
}
