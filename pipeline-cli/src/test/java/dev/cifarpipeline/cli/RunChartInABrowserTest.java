package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.testsupport.HeadlessChromium;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chart.html} as a reader sees it, in a real browser (Debian's headless Chromium; {@code -Pbrowser}). The page
 * of a default run (one epoch) used to show two empty frames: a curve of one point per epoch draws nothing. What the
 * data adds to the screen is measured against the same page with no data, colour by colour.
 */
class RunChartInABrowserTest {
    private static final int TRAIN_LOSS = 0x1f77b4;
    private static final int TEST_LOSS = 0xff7f0e;
    private static final int ACCURACY = 0x2ca02c;

    @TempDir
    Path dir;

    private RunReport report() {
        return new RunReport(
                "first-run", "stable", "vgg11", new DatasetChoice(dir, "synthetic", "cifar-10-batches-py", 1000, 300));
    }

    @Test
    void aOneEpochRunsPageShowsItsLoggedLossAndItsEvaluationWithItsValue() throws Exception {
        HeadlessChromium.Rendering empty = render(report(), "empty");

        // what `bin/pipeline run` reports of one epoch of 32 steps, its loss logged every 10 steps
        RunReport run = report();
        run.trainStepLoss(10, 2.21);
        run.trainStepLoss(20, 1.93);
        run.trainStepLoss(30, 1.71);
        run.trainLoss(1, 1.70);
        run.test(1, 1.65, 0.41);
        run.evaluation(32, 1, 1.65, 0.41);
        HeadlessChromium.Rendering page = render(run, "one-epoch");

        int trainLoss = page.pixels(TRAIN_LOSS, 40) - empty.pixels(TRAIN_LOSS, 40);
        int testLoss = page.pixels(TEST_LOSS, 40) - empty.pixels(TEST_LOSS, 40);
        int accuracy = page.pixels(ACCURACY, 40) - empty.pixels(ACCURACY, 40);
        assertTrue(trainLoss > 300, "the training loss is drawn across the logged steps: " + trainLoss + " px");
        assertTrue(testLoss > 40, "the evaluation's test loss is a visible point: " + testLoss + " px");
        assertTrue(accuracy > 40, "the evaluation's accuracy is a visible point: " + accuracy + " px");
        assertTrue(page.dom().contains("41.0 % (epoch 1)"), "the accuracy's value is written beside it");
        assertTrue(page.dom().contains("1.650"), "and the test loss's");
        assertEquals(List.of(), page.errors(), "no errors in the console");
    }

    private HeadlessChromium.Rendering render(RunReport report, String name) throws Exception {
        Path out = dir.resolve(name);
        report.writeChart(out);
        // the screenshots stay in target/ for a person to look at
        return HeadlessChromium.render(out.resolve("chart.html"), 800, 900, Path.of("target", "browser", name));
    }
}
