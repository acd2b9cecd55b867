package dev.cifarpipeline.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void theBarFillsInProportionToTheEpochsBatches() {
        assertEquals(
                "run a  epoch 2/60 [#####.....] 196/391  loss 1.234  812 img/s",
                ProgressBar.render("a", 2, 60, 196, 391, 1.2341, 812.4, 10));
        assertTrue(ProgressBar.render("a", 1, 1, 391, 391, 0.5, 1, 10).contains("##########]"));
    }

    @Test
    void onATerminalItRedrawsInPlaceAndKeepsEachFinishedEpochOnItsOwnLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar.Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), Long.MAX_VALUE);
        bar.update("a", 1, 2, 1, 4, 2.3, 100);
        bar.update("a", 1, 2, 2, 4, 2.2, 100); // throttled
        bar.update("a", 1, 2, 4, 4, 2.0, 100); // an epoch's end is always drawn
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(2, text.split("\r", -1).length - 1, text);
        assertTrue(text.endsWith("4/4  loss 2.000  100 img/s\n"), text);
    }
}
