package dev.cifarpipeline.trainer.training;

/**
 * Where one training step's time went, in nanoseconds of wall time: turning the uint8 batch into a normalised
 * tensor and labels on the engine; the forward pass with the loss; the backward pass; and the optimizer's update
 * of every parameter (DJL's {@code Trainer.step}). On the CPU engine every operation runs synchronously, so each
 * figure is the work of its phase. The seed's script times the same phases ({@code tools/reference/seed_vgg11.py
 * --phases}), so the two steps can be compared phase by phase.
 */
public record StepTimes(long inputNanos, long forwardNanos, long backwardNanos, long updateNanos) {
    public static final StepTimes NONE = new StepTimes(0, 0, 0, 0);

    public long totalNanos() {
        return inputNanos + forwardNanos + backwardNanos + updateNanos;
    }
}
