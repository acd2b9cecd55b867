package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.testsupport.HeadlessChromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sweep.html} in a real browser (Debian's headless Chromium; {@code -Pbrowser}): its script draws the
 * leaderboard, one curve per run and the winner's confusion matrix from the report's own data, with no script error;
 * and a page whose data is broken is caught by the same check.
 */
class SweepReportInABrowserTest {
    @TempDir
    Path dir;

    private SweepReport report() {
        DatasetChoice data = new DatasetChoice(dir, "synthetic", "cifar-10-batches-py", 1000, 300);
        SweepReport sweep = new SweepReport("lr");
        double[][] accuracies = {{0.31, 0.52, 0.61}, {0.28, 0.47, 0.66}, {0.12}};
        String[] status = {"finished", "finished", "stopped"};
        for (int i = 0; i < accuracies.length; i++) {
            RunReport run = new RunReport("lr-" + (i + 1), "stable", "vgg11", data);
            for (int e = 0; e < accuracies[i].length; e++) {
                run.trainLoss(e + 1, 2.0 - 0.4 * e);
                run.test(e + 1, 1.9 - 0.4 * e, accuracies[i][e]);
            }
            double best = java.util.Arrays.stream(accuracies[i]).max().orElseThrow();
            sweep.add(new SweepReport.Run(
                    "lr-" + (i + 1),
                    Map.of("maxLearningRate", 0.02 * (i + 1)),
                    run,
                    status[i],
                    best,
                    status[i].equals("stopped")));
        }
        int[][] confusion = new int[10][10];
        for (int c = 0; c < 10; c++) {
            confusion[c][c] = 20 + c;
            confusion[c][(c + 1) % 10] = 10;
        }
        sweep.winnerConfusion(confusion);
        return sweep;
    }

    @Test
    void theLeaderboardTheCurvesAndTheConfusionMatrixRenderFromTheReportsData() throws Exception {
        SweepReport sweep = report();
        sweep.write(dir, 42);
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("sweep.json")));
        assertEquals("lr-2", json.get("winner").asText(), "the best accuracy of any epoch wins");
        assertTrue(json.get("runs").get(2).get("stopped_early").asBoolean());

        HeadlessChromium.Rendering page =
                HeadlessChromium.render(dir.resolve("sweep.html"), 900, 1300, Path.of("target", "browser", "sweep"));
        assertEquals(List.of(), page.errors(), "no script errors");
        String dom = page.dom();
        assertTrue(dom.contains("data-rendered=\"true\""), "the script ran to its end");
        assertEquals(3, count(dom, "<tr class=\"(winner )?run\""), "a leaderboard row per run");
        assertTrue(
                Pattern.compile("<tr class=\"winner run\" data-run=\"lr-2\"><td>1</td>")
                        .matcher(dom)
                        .find(),
                "the winner first, marked");
        assertTrue(dom.contains("<td>66.00 %</td>") && dom.contains("<td>stopped early</td>"), "its figures");
        Matcher curves = Pattern.compile("<polyline class=\"curve\" data-run=\"(lr-\\d)\"[^>]* points=\"([^\"]*)\"")
                .matcher(dom);
        int drawn = 0;
        while (curves.find()) {
            int points = curves.group(2).isBlank() ? 0 : curves.group(2).trim().split(" ").length;
            assertEquals(curves.group(1).equals("lr-3") ? 1 : 3, points, "a point per scored epoch: " + curves.group());
            drawn++;
        }
        assertEquals(3, drawn, "a curve per run");
        assertEquals(7, count(dom, "<circle class=\"point\""), "every scored epoch marked, the one-epoch run too");
        assertEquals(100, count(dom, "<td style=\"background:rgba"), "the winner's 10 x 10 confusion matrix");
        int drawnBlue = page.pixels(0x1f77b4, 40);
        assertTrue(drawnBlue > 300, "the curves and matrix are on screen: " + drawnBlue + " px");
    }

    @Test
    void aPageWhoseScriptFailsIsCaught() throws Exception {
        Files.write(
                dir.resolve("broken.html"),
                new String(SweepReport.page("{\"sweep\": \"x\", \"runs\": [ {"), StandardCharsets.UTF_8)
                        .getBytes(StandardCharsets.UTF_8));
        HeadlessChromium.Rendering page =
                HeadlessChromium.render(dir.resolve("broken.html"), 800, 600, Path.of("target", "browser", "broken"));
        assertFalse(page.errors().isEmpty(), "the console reports the error: " + page.console());
        assertFalse(page.dom().contains("data-rendered=\"true\""));
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
