package dev.cifarpipeline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunSpecTest {
    private static RunSpec parse(String json) {
        return RunSpec.fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(String json) {
        return assertThrows(RecordFormatException.class, () -> parse(json)).getMessage();
    }

    @Test
    void absentKeysTakeTheDefaultsAndOverridesStayUnset() {
        RunSpec spec = parse("{\"runId\":\"a\"}");
        assertEquals("stable", spec.preset());
        assertEquals("vgg11", spec.model());
        assertEquals(60, spec.epochs());
        assertNull(spec.maxLearningRate());
        assertNull(spec.layout());
        assertTrue(spec.overrides().isEmpty());
    }

    @Test
    void aSpecSurvivesTheRoundTripWithOnlyItsSetKeysWritten() {
        RunSpec spec =
                parse("{\"runId\":\"r-1\",\"preset\":\"seed\",\"epochs\":3,\"maxLearningRate\":0.05,\"nesterov\":true,"
                        + "\"momentum\":0.9,\"seed\":7,\"checkpointEverySteps\":50,\"submittedAtMillis\":1}");
        String json = new String(spec.toJson(), StandardCharsets.UTF_8);
        assertTrue(!json.contains("null") && !json.contains("weightDecay"), json);
        assertEquals(spec, RunSpec.fromJson(spec.toJson()));
        assertEquals(
                Map.of(
                        "maxLearningRate",
                        0.05,
                        "momentum",
                        0.9,
                        "nesterov",
                        true,
                        "seed",
                        7L,
                        "checkpointEverySteps",
                        50),
                spec.overrides());
    }

    @Test
    void aStopRequestIsTheSameSpecWithItsTimeAndSurvivesTheRoundTrip() {
        RunSpec spec = parse("{\"runId\":\"r-2\",\"epochs\":4}");
        assertFalse(spec.stopRequested());
        assertFalse(
                new String(spec.toJson()).contains("stopRequestedAtMillis"),
                "a wanted run says nothing about stopping");
        RunSpec stop = spec.withStopRequested(1_700_000_000_000L);
        assertTrue(stop.stopRequested());
        RunSpec back = RunSpec.fromJson(stop.toJson());
        assertEquals(stop, back);
        assertEquals(
                spec.withStopRequested(1_700_000_000_000L), back, "same run, same recipe: only the stop time differs");
        assertTrue(error("{\"runId\":\"a\",\"stopRequestedAtMillis\":\"now\"}")
                .contains("'stopRequestedAtMillis' must be an integer"));
    }

    @Test
    void mistakesAreNamedWithTheirKey() {
        assertTrue(error("{\"runId\":\"a\",\"epoch\":3}")
                .contains("unknown key 'epoch'; known keys: schemaVersion, runId"));
        assertTrue(
                error("{\"runId\":\"a\",\"epochs\":\"three\"}").contains("'epochs' must be an integer, got \"three\""));
        assertTrue(error("{\"runId\":\"a\",\"epochs\":0}").contains("run spec a: epochs must be at least 1, got 0"));
        assertTrue(error("{\"runId\":\"a\",\"maxLearningRate\":-1}")
                .contains("maxLearningRate must be a positive number"));
        assertTrue(error("{\"runId\":\"a\",\"momentum\":1.0}").contains("momentum must be in [0, 1)"));
        assertTrue(error("{\"runId\":\"a\",\"nesterov\":\"yes\"}").contains("'nesterov' must be true or false"));
        assertTrue(error("{\"runId\":\"has space\"}").contains("runId 'has space' must be 1-64 letters"));
        assertTrue(error("{\"epochs\":3}").contains("runId 'null'"));
        assertTrue(error("{\"runId\":\"a\",\"schemaVersion\":2}").contains("schemaVersion 2 is not supported"));
        assertTrue(error("[1,2]").contains("expected a JSON object, got ARRAY"));
        assertTrue(error("{\"runId\":").contains("invalid JSON at line 1"));
        assertTrue(assertThrows(RecordFormatException.class, () -> RunSpec.fromJson(null))
                .getMessage()
                .contains("null payload"));
    }

    @Test
    void assignmentsAreTypedByTheirKeyAndCheckedAsJsonIs() {
        RunSpec spec = RunSpec.fromAssignments(
                " runId=lr05  preset=seed epochs=30 maxLearningRate=0.05 nesterov=true momentum=0.9 seed=7 ");
        assertEquals(
                parse(
                        "{\"runId\":\"lr05\",\"preset\":\"seed\",\"epochs\":30,\"maxLearningRate\":0.05,\"nesterov\":true,"
                                + "\"momentum\":0.9,\"seed\":7,\"submittedAtMillis\":" + spec.submittedAtMillis()
                                + "}"),
                spec);
        assertEquals("123", RunSpec.fromAssignments("runId=123").runId(), "a run id of digits stays text");
    }

    @Test
    void aWrongAssignmentIsRefusedNamingThePair() {
        assertEquals(
                "run spec: 'epochs=ten': epochs must be an integer",
                assertThrows(RecordFormatException.class, () -> RunSpec.fromAssignments("runId=a epochs=ten"))
                        .getMessage());
        assertEquals(
                "run spec: 'nesterov=yes': nesterov must be true or false",
                assertThrows(RecordFormatException.class, () -> RunSpec.fromAssignments("runId=a nesterov=yes"))
                        .getMessage());
        assertEquals(
                "run spec: 'epochs' is not key=value",
                assertThrows(RecordFormatException.class, () -> RunSpec.fromAssignments("runId=a epochs"))
                        .getMessage());
        assertTrue(assertThrows(RecordFormatException.class, () -> RunSpec.fromAssignments("runId=a epoch=3"))
                .getMessage()
                .startsWith("run spec: unknown key 'epoch' in 'epoch=3'; known keys: schemaVersion, runId"));
        assertTrue(assertThrows(RecordFormatException.class, () -> RunSpec.fromAssignments("runId=a epochs=0"))
                .getMessage()
                .contains("epochs must be at least 1"));
    }

    @Test
    void runIdsOfDotsAloneAreRefused() {
        assertEquals(
                "run spec: runId '..' is only dots, which paths and URLs read as folders", error("{\"runId\":\"..\"}"));
        assertEquals(
                "run spec: runId '.' is only dots, which paths and URLs read as folders", error("{\"runId\":\".\"}"));
        assertEquals("a.b", parse("{\"runId\":\"a.b\"}").runId());
    }
}
