package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerLossLinesTest {
    @TempDir
    Path dir;

    @Test
    void eachRunsLossLinesAreReadOnceWithTheirStepAndLossAndAHalfWrittenLineWaits() throws Exception {
        Path log = dir.resolve("trainer-service.log");
        TrainerLossLines lines = new TrainerLossLines(log);
        List<String> read = new ArrayList<>();
        TrainerLossLines.Sink sink = (run, text, step, loss) -> read.add(run + " " + step + " " + loss + " | " + text);
        lines.read(sink); // no log yet
        assertEquals(List.of(), read);
        Files.writeString(
                log,
                "2026-12-03 INFO [dev.cif.tra] (run-a) run s-1 [epoch 1, iteration    10] loss: 2.250  lr 0.00100  "
                        + "momentum 0.9500  310 img/s  step 10\n"
                        + "2026-12-03 INFO something else\n"
                        + "run s-2 [epoch 1, iteration 10] loss: 2.3 (an older trainer's line)\n"
                        + "run s-1 [epoch 1, iteration    20] loss: 2.1");
        lines.read(sink);
        assertEquals(
                List.of(
                        "s-1 10 2.25 | run s-1 [epoch 1, iteration    10] loss: 2.250  lr 0.00100  momentum 0.9500  "
                                + "310 img/s  step 10",
                        "s-2 -1 NaN | run s-2 [epoch 1, iteration 10] loss: 2.3 (an older trainer's line)"),
                read);
        read.clear();
        Files.writeString(log, "00  lr 0.001  momentum 0.95  300 img/s  step 20\n", StandardOpenOption.APPEND);
        lines.read(sink);
        assertEquals(1, read.size(), read.toString());
        assertEquals("s-1 20 2.1", read.get(0).substring(0, read.get(0).indexOf(" |")));
    }
}
