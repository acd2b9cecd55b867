package dev.cifarpipeline.events.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RunSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepValuesTest {
    private static final RunSpec BASE = RunSpec.of("g")
            .with("epochs", 9)
            .with("sweep", "g")
            .with("ashaEta", 3)
            .with("weightDecay", 5e-4);

    @Test
    void aGridsRunsAreToldApartByTheKeysItVaries() {
        SweepValues values = new SweepValues(50);
        Map<String, List<Object>> grid = new LinkedHashMap<>();
        grid.put("maxLearningRate", List.of(0.02, 0.1));
        grid.put("scheduleEpochs", List.of(9, 30));
        new SweepSpec("g", BASE, new SearchSpace(grid, 0, 0, Map.of())).runs().forEach(values::spec);
        values.spec(RunSpec.of("alone").with("maxLearningRate", 0.3)); // no sweep's
        Map<String, Map<String, Object>> runs = values.values().get("g");
        assertEquals(List.of("g-1", "g-2", "g-3", "g-4"), List.copyOf(runs.keySet()));
        for (Map<String, Object> v : runs.values()) {
            assertEquals(List.of("scheduleEpochs", "maxLearningRate"), List.copyOf(v.keySet()), "the spec's order");
        }
        List<String> described =
                runs.values().stream().map(SweepValues::describe).sorted().toList();
        assertEquals(
                List.of(
                        "scheduleEpochs=30 maxLearningRate=0.02",
                        "scheduleEpochs=30 maxLearningRate=0.1",
                        "scheduleEpochs=9 maxLearningRate=0.02",
                        "scheduleEpochs=9 maxLearningRate=0.1"),
                described,
                "weightDecay, epochs and ashaEta are the base's, the same for every run");
        assertEquals(1, values.values().size(), "a run outside a sweep is not one");
    }

    @Test
    void aSweepOfOneRunSoFarHasNothingToTellApartAndAStopRequestChangesNothing() {
        SweepValues values = new SweepValues(50);
        RunSpec one = BASE.with("runId", "s-1").with("sweep", "s").with("maxLearningRate", 0.05);
        values.spec(one);
        assertEquals(Map.of("s-1", Map.of()), values.values().get("s"));
        assertEquals("-", SweepValues.describe(values.values().get("s").get("s-1")));
        long before = values.changes();
        values.spec(one.withStopRequested(1L));
        assertEquals(before, values.changes(), "the same run again, stopped: no new values");
        values.spec(BASE.with("runId", "s-2").with("sweep", "s").with("maxLearningRate", 0.2));
        assertTrue(values.changes() > before);
        assertEquals(Map.of("maxLearningRate", 0.05), values.values().get("s").get("s-1"));
        assertEquals(Map.of("maxLearningRate", 0.2), values.values().get("s").get("s-2"));
    }

    @Test
    void numbersReadAsTypedAndAPresetsOwnValueIsDefault() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("weightDecay", 5e-4);
        v.put("maxLearningRate", 0.1);
        v.put("scheduleEpochs", 30);
        v.put("preset", "seed");
        v.put("seed", null);
        assertEquals(
                "weightDecay=0.0005 maxLearningRate=0.1 scheduleEpochs=30 preset=seed seed=default",
                SweepValues.describe(v));
        SweepValues values = new SweepValues(50);
        values.spec(RunSpec.of("d-1").with("sweep", "d").with("seed", 7L));
        values.spec(RunSpec.of("d-2").with("sweep", "d"));
        assertEquals(
                "seed=default", SweepValues.describe(values.values().get("d").get("d-2")));
    }

    @Test
    void theSweepsSubmittedLastAreShownWhateverOrderTheirPartitionsAreReadIn() {
        // a trainer replaying the topic reads one partition, then the next: each sweep's first runs, then its second
        SweepValues replayed = new SweepValues(2);
        for (int n = 1; n <= 2; n++) {
            for (int t = 1; t <= 3; t++) {
                String sweep = "abc".substring(t - 1, t);
                replayed.spec(RunSpec.of(sweep + "-" + n)
                        .with("sweep", sweep)
                        .with("maxLearningRate", 0.1 * n)
                        .with("submittedAtMillis", 1000L * t + n));
            }
        }
        Map<String, Map<String, Map<String, Object>>> shown = replayed.values();
        assertEquals(List.of("b", "c"), List.copyOf(shown.keySet()), "the two submitted last, the latest last");
        assertEquals(Map.of("maxLearningRate", 0.2), shown.get("c").get("c-2"));
        assertEquals(List.of("b-1", "b-2"), List.copyOf(shown.get("b").keySet()), "every run, by id");
        long before = replayed.changes();
        replayed.spec(RunSpec.of("a-1").with("sweep", "a").withStopRequested(99_000L));
        assertEquals(before, replayed.changes(), "a stop request of an older sweep's run brings it back to none");
        assertEquals(List.of("b", "c"), List.copyOf(replayed.values().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new SweepValues(0));
    }
}
