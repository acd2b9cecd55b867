package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cifarpipeline.events.RunSpec;
import org.junit.jupiter.api.Test;

class RunLimitsTest {
    private static final RunLimits LIMITS = new RunLimits(100, 150, 10);

    private static String refusal(RunSpec spec) {
        TrainingSettings settings = TrainingSettings.resolve(spec, 100, DivergencePolicy.DEFAULT);
        return assertThrows(IllegalArgumentException.class, () -> LIMITS.check(settings))
                .getMessage();
    }

    @Test
    void aSpecWithinTheLimitsPasses() {
        LIMITS.check(TrainingSettings.resolve(
                RunSpec.of("ok").with("epochs", 100).with("checkpointEverySteps", 10), 100, DivergencePolicy.DEFAULT));
        LIMITS.check(TrainingSettings.resolve(
                RunSpec.of("ok").with("checkpointEverySteps", 0), 100, DivergencePolicy.DEFAULT));
    }

    @Test
    void eachValueBeyondItsLimitIsRefusedNamingTheKey() {
        assertEquals(
                "epochs 101 exceeds this trainer's limit of 100 (trainer.limits.max-epochs)",
                refusal(RunSpec.of("r").with("epochs", 101).with("scheduleEpochs", 101)));
        assertEquals(
                "scheduleEpochs 151 exceeds this trainer's limit of 150 (trainer.limits.max-schedule-epochs)",
                refusal(RunSpec.of("r").with("epochs", 10).with("scheduleEpochs", 151)));
        assertEquals(
                "checkpointEverySteps 1 is below this trainer's limit of 10 (trainer.limits.min-checkpoint-every-steps; 0 "
                        + "checkpoints at epoch ends only)",
                refusal(RunSpec.of("r").with("epochs", 10).with("checkpointEverySteps", 1)));
    }
}
