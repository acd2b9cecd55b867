package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RunSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepLimitsTest {
    private final SweepLimits limits = new SweepLimits(8, 100);

    @Test
    void aSweepWithinItsLimitsPasses() {
        limits.checkSize("s", 8);
        limits.checkEpochs(
                "s", List.of(RunSpec.of("a").with("epochs", 60), RunSpec.of("b").with("epochs", 40)));
    }

    @Test
    void tooManyRunsOrEpochsAreRefusedNamingTheSetting() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> limits.checkSize("s", 9))
                .getMessage()
                .contains("sweep s has 9 runs, beyond this trainer's limit of 8 (trainer.limits.max-sweep-runs)"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> limits.checkEpochs(
                                "s",
                                List.of(
                                        RunSpec.of("a").with("epochs", 60),
                                        RunSpec.of("b").with("epochs", 41))))
                .getMessage()
                .contains("sweep s trains 101 epochs in all, beyond this trainer's limit of 100 "
                        + "(trainer.limits.max-sweep-epochs)"));
    }
}
