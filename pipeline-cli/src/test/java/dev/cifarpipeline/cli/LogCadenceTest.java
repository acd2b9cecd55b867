package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogCadenceTest {
    @Test
    void aRunLogsItsLossAboutTenTimesAnEpochAtMostEveryHundredSteps() {
        assertEquals(3, PipelineCommand.logEvery(1000, 32), "32 steps an epoch");
        assertEquals(39, PipelineCommand.logEvery(50_000, 128), "the default run: 391 steps an epoch");
        assertEquals(100, PipelineCommand.logEvery(50_000, 4), "the seed's cadence caps it");
        assertEquals(1, PipelineCommand.logEvery(100, 128), "one step an epoch: every step");
    }
}
