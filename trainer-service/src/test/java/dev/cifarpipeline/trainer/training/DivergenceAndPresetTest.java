package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.model.VggLayout;
import org.junit.jupiter.api.Test;

class DivergenceAndPresetTest {

    @Test
    void meanLossStuckAtLnTenForTheConfiguredStepsIsDivergence() {
        DivergenceMonitor monitor = new DivergenceMonitor(new DivergencePolicy(50, 0.01, true));
        for (int step = 1; step < 50; step++) {
            assertTrue(monitor.observe(step, 2.30, Math.log(10) + 0.005).isEmpty());
        }
        assertTrue(monitor.observe(50, 2.30, Math.log(10) - 0.004).orElseThrow().contains("for 50 steps"));
        assertTrue(monitor.diverged());
        assertTrue(monitor.observe(51, Double.NaN, 2.3).isEmpty(), "reported once");
    }

    @Test
    void aLossLeavingLnTenResetsTheCount() {
        DivergenceMonitor monitor = new DivergenceMonitor(new DivergencePolicy(10, 0.01, true));
        for (int step = 1; step < 100; step++) {
            double mean = step % 9 == 0 ? 2.25 : Math.log(10);
            assertTrue(monitor.observe(step, 2.3, mean).isEmpty(), "step " + step);
        }
        assertFalse(monitor.diverged());
        assertTrue(monitor.observe(100, Double.POSITIVE_INFINITY, 2.3)
                .orElseThrow()
                .contains("Infinity"));
    }

    @Test
    void theSeedPresetIsTheTutorialsRecipe() {
        TrainingSettings seed = TrainingSettings.of("r", TrainingPreset.SEED, "vgg11", 60, 0);
        assertEquals(VggLayout.SEED, seed.model().layout());
        assertEquals(150, seed.scheduleEpochs(), "OneCycleLR(epochs=150) while the loop runs 60");
        assertEquals(0.1, seed.maxLearningRate());
        assertEquals(5e-4, seed.weightDecay());
        assertEquals(0, seed.momentum(), "SGD built without momentum");
        assertTrue(seed.cycleMomentum(), "OneCycleLR's default cycle_momentum=True overwrites it");
    }

    @Test
    void theStablePresetSizesTheScheduleToTheRun() {
        TrainingSettings stable = TrainingSettings.of("r", TrainingPreset.STABLE, "vgg11", 60, 0);
        assertEquals(VggLayout.BATCHNORM, stable.model().layout());
        assertEquals(60, stable.scheduleEpochs());
        assertThrows(
                IllegalArgumentException.class,
                () -> new TrainingSettings(
                        "r",
                        null,
                        TrainingPreset.STABLE,
                        stable.model(),
                        61,
                        60,
                        0.1,
                        5e-4,
                        true,
                        0,
                        0,
                        false,
                        0,
                        100,
                        DivergencePolicy.DEFAULT,
                        0),
                "a run longer than its schedule");
    }

    @Test
    void aRunSpecsOverridesReplaceThePresetsValuesAndNothingElse() {
        TrainingSettings s = TrainingSettings.resolve(
                RunSpec.of("r")
                        .with("preset", "seed")
                        .with("epochs", 3)
                        .with("maxLearningRate", 0.05)
                        .with("checkpointEverySteps", 10),
                20,
                DivergencePolicy.DEFAULT);
        assertEquals(VggLayout.SEED, s.model().layout(), "the preset's layout");
        assertEquals(150, s.scheduleEpochs(), "the preset's schedule");
        assertEquals(0.05, s.maxLearningRate(), "the override");
        assertEquals(10, s.checkpointEverySteps());
        assertEquals(20, s.logEvery(), "the trainer's own setting");
        TrainingSettings layout =
                TrainingSettings.resolve(RunSpec.of("r").with("layout", "seed"), 100, DivergencePolicy.DEFAULT);
        assertEquals(VggLayout.SEED, layout.model().layout());
        assertEquals(60, layout.scheduleEpochs(), "stable sizes the schedule to the run");
    }

    @Test
    void aRunSpecNamingWhatDoesNotExistIsRefusedWithTheRunAndTheName() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingSettings.resolve(RunSpec.of("r9").with("model", "vgg12"), 100, DivergencePolicy.DEFAULT));
        assertEquals("run spec r9: unknown model 'vgg12': expected one of vgg11, vgg13, vgg16, vgg19", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingSettings.resolve(RunSpec.of("r9").with("preset", "fast"), 100, DivergencePolicy.DEFAULT));
        assertTrue(e.getMessage().contains("unknown preset 'fast'"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingSettings.resolve(
                        RunSpec.of("r9").with("preset", "seed").with("epochs", 200), 100, DivergencePolicy.DEFAULT));
        assertTrue(e.getMessage().contains("the schedule spans 150 epochs but the run trains 200"), e.getMessage());
    }
}
