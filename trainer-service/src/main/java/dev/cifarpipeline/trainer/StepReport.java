package dev.cifarpipeline.trainer;

import dev.cifarpipeline.trainer.BatchLedger.Admission;
import java.util.Optional;

/**
 * What became of one batch.
 *
 * @param admission     trained, skipped as a duplicate, or beyond the run's epochs
 * @param loss          the batch's loss, NaN if not trained
 * @param meanLoss      mean loss of the last 100 steps
 * @param learningRate  the rate the step used
 * @param step          optimizer steps taken so far
 * @param stepSeconds   wall time of the step
 * @param checkpoint    present when the batch completed an epoch
 */
public record StepReport(Admission admission, double loss, double meanLoss, double learningRate, long step,
                         double stepSeconds, Optional<Checkpoint> checkpoint) {
}
