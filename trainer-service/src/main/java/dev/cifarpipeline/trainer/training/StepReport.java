package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.trainer.training.BatchLedger.Admission;
import java.util.Optional;

/**
 * What became of one batch.
 *
 * @param admission     trained, skipped as a duplicate, beyond the run's epochs, or the run was stopped
 * @param loss          the batch's loss, NaN if not trained
 * @param meanLoss      mean loss of the last 100 steps
 * @param learningRate  the rate the step used
 * @param step          optimizer steps taken so far
 * @param stepSeconds   wall time of the step
 * @param momentum      the momentum the step used
 * @param checkpoint    present when the batch completed an epoch
 * @param divergence    why the run diverged, on the step where it was detected
 */
public record StepReport(
        Admission admission,
        double loss,
        double meanLoss,
        double learningRate,
        double momentum,
        long step,
        double stepSeconds,
        Optional<Checkpoint> checkpoint,
        Optional<String> divergence) {}
