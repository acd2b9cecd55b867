package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    @TempDir
    Path dir;

    private RunReport report() {
        return new RunReport(
                "r1", "seed", "vgg11", new DatasetChoice(dir, "real", "cifar-10-batches-py", 50_000, 10_000));
    }

    @Test
    void theSummaryHasTheShapeTheIssueAsksFor() throws Exception {
        RunReport r = report();
        r.trainLoss(1, 2.01);
        r.test(1, 1.7, 0.41);
        r.trainLoss(2, 1.5);
        r.test(2, 1.2, 0.58);
        r.writeSummary(dir, "finished", 12.34);
        JsonNode s = new ObjectMapper().readTree(Files.readString(dir.resolve("summary.json")));
        assertEquals("r1", s.get("run").asText());
        assertEquals("seed", s.get("preset").asText());
        assertEquals("vgg11", s.get("model").asText());
        assertEquals("real", s.get("dataset").get("kind").asText());
        assertEquals("cifar-10-batches-py", s.get("dataset").get("layout").asText());
        assertEquals(50_000, s.get("dataset").get("train_images").asInt());
        assertEquals(10_000, s.get("dataset").get("test_images").asInt());
        assertEquals(2, s.get("epochs").size());
        JsonNode second = s.get("epochs").get(1);
        assertEquals(2, second.get("epoch").asInt());
        assertEquals(1.5, second.get("train_loss").asDouble());
        assertEquals(1.2, second.get("test_loss").asDouble());
        assertEquals(0.58, second.get("test_accuracy").asDouble());
        assertEquals(2, s.get("best_epoch").asInt());
        assertEquals("finished", s.get("status").asText());
        assertFalse(Files.exists(dir.resolve("summary.json.tmp")), "written to a temporary name, then renamed");
    }

    @Test
    void aCheckpointTakenOnStoppingDoesNotReplaceTheEpochsOwnScore() {
        RunReport r = report();
        r.test(3, 1.40, 0.5433); // the epoch-end checkpoint
        r.test(3, 1.16, 0.52); // taken when the run was stopped mid-epoch 4, still "3 epochs done"
        assertEquals(0.5433, r.epochs().get(0).testAccuracy());
    }

    @Test
    void unknownFiguresAreNullInJsonAndDashesInTheTableAndTheChartIsOneFile() throws Exception {
        RunReport r = report();
        r.trainLoss(1, 2.0);
        r.writeSummary(dir, "interrupted", 1);
        JsonNode s = new ObjectMapper().readTree(Files.readString(dir.resolve("summary.json")));
        assertTrue(s.get("epochs").get(0).get("test_accuracy").isNull());
        assertTrue(r.table().contains("-"));
        r.test(1, 1.9, 0.3);
        r.writeChart(dir);
        String html = Files.readString(dir.resolve("chart.html"));
        assertTrue(
                html.contains("<svg") && html.contains("polyline") && !html.contains("<script src"), "self-contained");
    }
}
