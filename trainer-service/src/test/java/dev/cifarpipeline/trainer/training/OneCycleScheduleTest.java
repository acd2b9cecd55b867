package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OneCycleScheduleTest {
    /** The seed: OneCycleLR(max_lr=0.1, steps_per_epoch=391, epochs=150), defaults otherwise. */
    private static final OneCycleSchedule SEED = OneCycleSchedule.pytorchDefaults(0.1, 391L * 150);

    @Test
    void startsAtMaxOverDivFactorWithMaximumMomentum() {
        assertEquals(0.004, SEED.learningRate(0), 1e-12);
        assertEquals(0.95, SEED.momentum(0), 1e-12);
    }

    @Test
    void peaksAtTheEndOfTheRiseWithBaseMomentum() {
        long peak = (long) (0.3 * 391 * 150) - 1; // PyTorch: float(pct_start * total_steps) - 1 = 17,594
        assertEquals(17_594, peak);
        assertEquals(0.1, SEED.learningRate(peak), 1e-12);
        assertEquals(0.85, SEED.momentum(peak), 1e-12);
    }

    @Test
    void endsAtMinimumRateAndMaximumMomentum() {
        long last = 391L * 150 - 1;
        assertEquals(0.1 / 25 / 1e4, SEED.learningRate(last), 1e-15);
        assertEquals(0.95, SEED.momentum(last), 1e-12);
    }

    @Test
    void followsTheCosineFormulaInBothPhases() {
        double endOfRise = 0.3 * 58_650 - 1;
        long k = 5_000;
        double pct = k / endOfRise;
        double expected = 0.1 + (0.004 - 0.1) / 2 * (Math.cos(Math.PI * pct) + 1);
        assertEquals(expected, SEED.learningRate(k), 1e-12);
        long j = 40_000;
        double pct2 = (j - endOfRise) / (58_649 - endOfRise);
        double min = 0.004 / 1e4;
        assertEquals(min + (0.1 - min) / 2 * (Math.cos(Math.PI * pct2) + 1), SEED.learningRate(j), 1e-12);
        assertEquals(0.95 + (0.85 - 0.95) / 2 * (Math.cos(Math.PI * pct2) + 1), SEED.momentum(j), 1e-12);
    }

    @Test
    void theSeedsSixtyEpochLoopEndsNearThePeakRate() {
        // The loop runs 60 of the schedule's 150 epochs: its last step is still in the high-rate phase.
        double last = SEED.learningRate(60L * 391 - 1);
        assertEquals(0.095, last, 0.001);
    }

    @ParameterizedTest
    @CsvSource({"onecycle-seed-150x391.csv, 58650", "onecycle-126.csv, 126"})
    void matchesPyTorchsOneCycleLrAtEveryTabulatedStep(String table, long totalSteps) throws IOException {
        // Tables written by tools/reference/onecycle_reference.py with Debian's python3-torch.
        OneCycleSchedule schedule = OneCycleSchedule.pytorchDefaults(0.1, totalSteps);
        int rows = 0;
        try (var in = getClass().getResourceAsStream("/reference/" + table)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("step")) {
                    continue;
                }
                String[] f = line.split(",");
                long step = Long.parseLong(f[0]);
                assertRelative(Double.parseDouble(f[1]), schedule.learningRate(step), "lr at step " + step);
                assertRelative(Double.parseDouble(f[2]), schedule.momentum(step), "momentum at step " + step);
                rows++;
            }
        }
        assertTrue(rows > 100, table + " has " + rows + " rows");
    }

    private static void assertRelative(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-6 * Math.abs(expected), what);
    }

    @Test
    void refusesStepsBeyondTheSchedule() {
        assertThrows(IllegalArgumentException.class, () -> SEED.learningRate(58_651));
        assertThrows(IllegalArgumentException.class, () -> OneCycleSchedule.pytorchDefaults(0.1, 0));
    }
}
