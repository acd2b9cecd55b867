package dev.cifarpipeline.events.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.RunSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepSpecTest {
    private static SweepSpec parse(String json) {
        return SweepSpec.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String json) {
        return assertThrows(RecordFormatException.class, () -> parse(json).runs())
                .getMessage();
    }

    @Test
    void aNullInTheGridIsRefusedNamingItsKey() {
        assertTrue(error("{\"sweepId\":\"n\",\"grid\":{\"weightDecay\":[0.1,null]}}")
                .contains("grid 'weightDecay' takes a list of values, none of them null"));
        assertTrue(error("{\"sweepId\":\"n\",\"grid\":{\"weightDecay\":null}}").contains("grid 'weightDecay'"));
    }

    @Test
    void aGridGivesEveryCombinationAsARunOfTheSweepWithTheBaseAndItsValues() {
        SweepSpec sweep = parse("{\"sweepId\":\"lr-wd\",\"base\":{\"epochs\":9,\"checkpointEverySteps\":0},"
                + "\"grid\":{\"maxLearningRate\":[0.02,0.05,0.1,0.2],\"weightDecay\":[5e-4,5e-3]}}");
        List<RunSpec> runs = sweep.runs();
        assertEquals(8, sweep.size());
        assertEquals(8, runs.size());
        assertEquals("lr-wd-1", runs.get(0).runId());
        assertEquals("lr-wd-8", runs.get(7).runId());
        for (RunSpec run : runs) {
            assertEquals("lr-wd", run.sweep());
            assertEquals(9, run.epochs());
            assertEquals(0, run.checkpointEverySteps());
        }
        assertEquals(0.02, runs.get(0).maxLearningRate());
        assertEquals(5e-4, runs.get(0).weightDecay());
        assertEquals(0.02, runs.get(1).maxLearningRate(), "the last key varies fastest");
        assertEquals(5e-3, runs.get(1).weightDecay());
        assertEquals(0.2, runs.get(7).maxLearningRate());
        assertEquals(Map.of("maxLearningRate", 0.05, "weightDecay", 5e-3), SweepSpec.values(sweep.base(), runs.get(3)));
        assertEquals(8, runs.stream().map(RunSpec::runId).distinct().count());
        assertEquals(null, runs.get(0).ashaEta(), "no early stopping unless asked");
    }

    @Test
    void earlyStoppingInTheBaseReachesEveryRunAndNeedsASweep() {
        List<RunSpec> runs = parse(
                        "{\"sweepId\":\"e\",\"base\":{\"epochs\":9,\"ashaEta\":3}," + "\"grid\":{\"seed\":[1,2]}}")
                .runs();
        assertEquals(List.of(3, 3), runs.stream().map(RunSpec::ashaEta).toList());
        assertTrue(assertThrows(
                        RecordFormatException.class, () -> RunSpec.of("alone").with("ashaEta", 3))
                .getMessage()
                .contains("a run of its own has none"));
        assertTrue(error("{\"sweepId\":\"e\",\"base\":{\"ashaEta\":1},\"grid\":{\"seed\":[1]}}")
                .contains("ashaEta must be 2..100"));
    }

    @Test
    void randomSamplesAreSeededInTheirRangesAndTypedByTheirKeys() {
        String json = "{\"sweepId\":\"r\",\"random\":{\"samples\":12,\"seed\":7,\"ranges\":{"
                + "\"maxLearningRate\":{\"low\":0.001,\"high\":1,\"log\":true},"
                + "\"scheduleEpochs\":{\"low\":2,\"high\":20}}}}";
        List<RunSpec> runs = parse(json).runs();
        assertEquals(12, runs.size());
        assertEquals(
                runs.stream().map(RunSpec::maxLearningRate).toList(),
                parse(json).runs().stream().map(RunSpec::maxLearningRate).toList(),
                "the same seed, the same draws");
        long below = 0;
        for (RunSpec run : runs) {
            assertTrue(run.maxLearningRate() >= 0.001 && run.maxLearningRate() <= 1, run.toString());
            assertTrue(run.scheduleEpochs() >= 2 && run.scheduleEpochs() <= 20, run.toString());
            below += run.maxLearningRate() < 0.0316 ? 1 : 0; // the log-midpoint
        }
        assertTrue(below >= 3 && below <= 9, "drawn evenly in the logarithm, not the value: " + below + " of 12");
        List<Double> other = parse(json.replace("\"seed\":7", "\"seed\":8")).runs().stream()
                .map(RunSpec::maxLearningRate)
                .toList();
        assertTrue(!other.equals(runs.stream().map(RunSpec::maxLearningRate).toList()), "another seed, other draws");
    }

    @Test
    void aGridAndRandomDrawsCombine() {
        SweepSpec sweep = parse("{\"sweepId\":\"c\",\"grid\":{\"preset\":[\"stable\",\"seed\"]},"
                + "\"random\":{\"samples\":3,\"seed\":1,\"ranges\":{\"weightDecay\":{\"low\":0,\"high\":0.01}}}}");
        List<RunSpec> runs = sweep.runs();
        assertEquals(6, runs.size());
        assertEquals(
                List.of("stable", "stable", "stable", "seed", "seed", "seed"),
                runs.stream().map(RunSpec::preset).toList());
        assertEquals(runs.get(0).weightDecay(), runs.get(3).weightDecay(), "the same draws under each grid point");
    }

    @Test
    void theJsonFormReadsBackAsTheSameSweep() {
        SweepSpec sweep = parse(
                "{\"sweepId\":\"j\",\"base\":{\"epochs\":2,\"preset\":\"seed\"},"
                        + "\"grid\":{\"weightDecay\":[0.001,0.01]},"
                        + "\"random\":{\"samples\":2,\"seed\":5,\"ranges\":{\"maxLearningRate\":{\"low\":0.01,\"high\":0.5,\"log\":true}}}}");
        SweepSpec again = SweepSpec.fromJson(sweep.toJson());
        assertEquals(sweep.space(), again.space());
        assertEquals(
                sweep.runs().stream()
                        .map(r -> SweepSpec.values(sweep.base(), r))
                        .toList(),
                again.runs().stream()
                        .map(r -> SweepSpec.values(again.base(), r))
                        .toList());
        assertEquals("seed", again.runs().get(0).preset());
    }

    @Test
    void hostileSpacesAreRefusedOrSizedWithoutBeingBuilt() {
        String values = java.util.stream.IntStream.range(0, 1700)
                .mapToObj(i -> Integer.toString(i + 1))
                .collect(java.util.stream.Collectors.joining(","));
        SweepSpec huge = parse("{\"sweepId\":\"h\",\"grid\":{\"seed\":[" + values + "],\"scheduleEpochs\":["
                + values + "],\"epochs\":[" + values + "]},\"random\":{\"samples\":2147483647,\"seed\":1,"
                + "\"ranges\":{\"weightDecay\":{\"low\":0,\"high\":1}}}}");
        assertEquals(Long.MAX_VALUE, huge.size(), "beyond a long: saturated, for the limit to refuse");
        assertTrue(error("{\"sweepId\":\"w\",\"random\":{\"samples\":3,\"seed\":1,"
                        + "\"ranges\":{\"epochs\":{\"low\":1,\"high\":1e10}}}}")
                .contains("beyond an integer's range"));
        assertTrue(error("{\"sweepId\":\"w\",\"random\":{\"samples\":3,\"seed\":1,"
                        + "\"ranges\":{\"weightDecay\":{\"low\":0.1,\"high\":1,\"log\":\"yes\"}}}}")
                .contains("log must be true or false"));
        SweepSpec bigSeed = parse("{\"sweepId\":\"b\",\"random\":{\"samples\":2,\"seed\":5000000000,"
                + "\"ranges\":{\"weightDecay\":{\"low\":0,\"high\":1}}}}");
        assertEquals(
                5_000_000_000L, SweepSpec.fromJson(bigSeed.toJson()).space().seed());
        assertEquals(
                Map.of(
                        "b-1",
                        bigSeed.runs().get(0).weightDecay(),
                        "b-2",
                        bigSeed.runs().get(1).weightDecay()),
                Map.of(
                        "b-1", bigSeed.pointsByRun().get("b-1").get("weightDecay"),
                        "b-2", bigSeed.pointsByRun().get("b-2").get("weightDecay")),
                "each run's point, by its id");
    }

    @Test
    void theCommandLineFormsAreTypedByKey() {
        var axis = SearchSpace.gridAxis("maxLearningRate=0.02,0.05");
        assertEquals("maxLearningRate", axis.getKey());
        assertEquals(List.of(0.02, 0.05), axis.getValue());
        assertEquals(List.of(3, 9), SearchSpace.gridAxis("scheduleEpochs=3,9").getValue());
        assertEquals(
                List.of("vgg11", "vgg13"),
                SearchSpace.gridAxis("model=vgg11,vgg13").getValue());
        var range = SearchSpace.range("weightDecay=1e-5:1e-2:log");
        assertEquals(new SearchSpace.Range(1e-5, 1e-2, true), range.getValue());
        Map<String, List<Object>> grid = new LinkedHashMap<>(Map.ofEntries(axis));
        assertEquals(2, new SearchSpace(grid, 0, 0, Map.of()).points().size());
    }

    @Test
    void whatIsWrongIsNamedWithItsKeyAndRun() {
        assertTrue(error("{\"sweepId\":\"s\"}").contains("the search space is empty"));
        assertTrue(error("{\"sweepId\":\"s\",\"grid\":{\"maxLearingRate\":[0.1]}}")
                .contains("unknown run-spec key 'maxLearingRate'"));
        assertTrue(error("{\"sweepId\":\"s\",\"grid\":{\"runId\":[\"a\"]}}").contains("'runId' cannot vary"));
        assertTrue(error("{\"sweepId\":\"s\",\"grid\":{\"maxLearningRate\":[0.1,-1]}}")
                .contains("run s-2 {maxLearningRate=-1}: maxLearningRate must be a positive number"));
        assertTrue(error("{\"sweepId\":\"s\",\"grid\":{\"epochs\":[]}}").contains("grid key 'epochs' has no values"));
        assertTrue(error("{\"sweepId\":\"s\",\"base\":{\"runId\":\"x\"},\"grid\":{\"epochs\":[1]}}")
                .contains("'base' must not set 'runId'"));
        assertTrue(error("{\"sweepId\":\"s\",\"base\":{\"epochs\":0},\"grid\":{\"seed\":[1]}}")
                .contains("'base': run spec s: epochs must be at least 1"));
        assertTrue(error("{\"sweepId\":\"s\",\"random\":{\"samples\":2}}").contains("need at least one range"));
        assertTrue(
                error("{\"sweepId\":\"s\",\"random\":{\"samples\":2,\"ranges\":{\"preset\":{\"low\":1,\"high\":2}}}}")
                        .contains("'preset' is not a number"));
        assertTrue(error(
                        "{\"sweepId\":\"s\",\"random\":{\"samples\":2,\"ranges\":{\"weightDecay\":{\"low\":0,\"high\":1,\"log\":true}}}}")
                .contains("a log range needs low > 0"));
        assertTrue(error("{\"sweepId\":\"s\",\"grids\":{}}").contains("unknown key 'grids'"));
        assertTrue(error("{\"sweepId\":\"" + "x".repeat(57) + "\",\"grid\":{\"epochs\":[1]}}")
                .contains("1-56"));
        assertTrue(assertThrows(RecordFormatException.class, () -> SearchSpace.gridAxis("epochs=1,two"))
                .getMessage()
                .contains("--grid 'epochs=1,two': epochs must be an integer, got 'two'"));
        assertTrue(assertThrows(RecordFormatException.class, () -> SearchSpace.range("weightDecay=0.1"))
                .getMessage()
                .contains("is not key=low:high[:log]"));
    }
}
