package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SweepOptionsTest {
    @Test
    void theIssuesCommandLineIsAnEightRunGridOnTwoTrainersWithTheRunsDataOptions() {
        SweepOptions o = SweepOptions.parse(List.of(
                "--synthetic",
                "--limit-train",
                "1000",
                "--limit-test",
                "300",
                "--epochs",
                "9",
                "--batch-size",
                "32",
                "--trainers",
                "2",
                "--grid",
                "maxLearningRate=0.02,0.05,0.1,0.2",
                "--grid",
                "weightDecay=5e-4,5e-3"));
        assertEquals(8, o.space().size());
        assertEquals(2, o.trainers());
        assertTrue(o.run().synthetic());
        assertEquals(9, o.run().epochs());
        assertEquals(32, o.run().batchSize());
        assertEquals(List.of(0.02, 0.05, 0.1, 0.2), o.space().grid().get("maxLearningRate"));
        assertTrue(o.ashaEta().isEmpty());
        assertEquals(
                3,
                SweepOptions.parse(List.of("--grid", "seed=1,2", "--asha", "3"))
                        .ashaEta()
                        .orElseThrow());
    }

    @Test
    void aRandomSearchTakesItsSamplesSeedAndRanges() {
        SweepOptions o = SweepOptions.parse(
                List.of("--random", "6", "--seed", "3", "--range", "maxLearningRate=0.01:0.3:log", "--synthetic"));
        assertEquals(6, o.space().size());
        assertEquals(3, o.space().seed());
        assertTrue(o.space().ranges().get("maxLearningRate").log());
    }

    @Test
    void setValuesAreTheBaseEveryRunShares() {
        SweepOptions o = SweepOptions.parse(
                List.of("--synthetic", "--grid", "maxLearningRate=0.02,0.05", "--set", "weightDecay=5e-3"));
        assertEquals(5e-3, o.run().spec("base").weightDecay());
    }

    @Test
    void mistakesAreNamed() {
        assertTrue(message("--grid", "maxLearningRate=0.1", "--grid", "maxLearningRate=0.2")
                .contains("given twice"));
        assertTrue(message("--grid", "lr=0.1").contains("unknown run-spec key 'lr'"));
        assertTrue(message("--synthetic").contains("the search space is empty"));
        assertTrue(message("--grid", "epochs=1", "--run-id", "x").contains("a sweep names its runs"));
        assertTrue(message("--grid", "epochs=1", "--trainers", "0").contains("--trainers takes a positive"));
        assertTrue(message("--grid", "epochs=1", "--bogus").contains("unknown option '--bogus'"));
        assertTrue(message("--grid", "epochs=1", "--asha", "1").contains("2 or more"));
        assertTrue(message("--grid", "weightDecay=0,5e-4", "--set", "weightDecay=0")
                .contains("--set weightDecay conflicts with the search space's weightDecay"));
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> SweepOptions.parse(List.of(args)))
                .getMessage();
    }
}
