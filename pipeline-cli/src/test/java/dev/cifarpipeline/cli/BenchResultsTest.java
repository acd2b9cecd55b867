package dev.cifarpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchResultsTest {
    @Test
    void ratioIsTheMedianOfPerRoundRatiosNotTheRatioOfMedians() {
        BenchResults r = new BenchResults();
        // round 2 ran on a loaded machine for both sides: its ratio is as good as the others'
        r.putRounds(
                "trainer_images_per_s",
                "seed_trainer_images_per_s",
                "trainer_vs_seed",
                "trainer",
                new double[] {150, 60, 140},
                new double[] {120, 50, 100});
        assertEquals(140, r.values().get("trainer_images_per_s"));
        assertEquals(100, r.values().get("seed_trainer_images_per_s"));
        assertEquals(1.25, r.values().get("trainer_vs_seed"), 1e-12); // ratios 1.25, 1.2, 1.4
        assertEquals(1.2, r.values().get("trainer_vs_seed_min"), 1e-12);
        assertEquals(1.4, r.values().get("trainer_vs_seed_max"), 1e-12);
        assertEquals(60, r.values().get("trainer_images_per_s_min"));
    }

    @Test
    void withoutTheReferenceOnlyOurFiguresAreWrittenAndTheNoteSaysWhy() throws Exception {
        BenchResults r = new BenchResults();
        r.putRounds(
                "evaluator_images_per_s",
                "seed_eval_images_per_s",
                "evaluator_vs_seed",
                "evaluator",
                new double[] {500, 480},
                null);
        r.note("no seed reference for the evaluator: python3-torchvision missing");
        JsonNode json = new ObjectMapper().readTree(r.json());
        assertEquals(490, json.get("evaluator_images_per_s").doubleValue());
        assertFalse(json.has("seed_eval_images_per_s"));
        assertFalse(json.has("evaluator_vs_seed"));
        json.fields().forEachRemaining(e -> assertTrue(e.getValue().isNumber(), e.getKey() + " is not a number"));
        assertTrue(r.table().contains("note: no seed reference for the evaluator"));
    }

    @Test
    void aMissingOrNonFiniteFigureIsRefusedByName() {
        BenchResults r = new BenchResults();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> r.put("trainer_rss_growth", "rss", "", Double.NaN));
        assertTrue(e.getMessage().contains("trainer_rss_growth"));
        JsonNode line = BenchResults.jsonLine("Probe", "starting\n{\"a\":1,\"b\":null}\n");
        IllegalStateException missing =
                assertThrows(IllegalStateException.class, () -> BenchResults.number("Probe", line, "b"));
        assertTrue(
                missing.getMessage().contains("Probe") && missing.getMessage().contains("'b'"), missing.getMessage());
        assertThrows(IllegalStateException.class, () -> BenchResults.jsonLine("Probe", "crashed\n"));
    }

    @Test
    void optionsAreCheckedAndNamed() {
        BenchCommand.Options o = BenchCommand.Options.parse(List.of("--rounds", "1", "--rss-steps", "0", "--out", "x"));
        assertEquals(1, o.rounds());
        assertEquals(0, o.rssSteps());
        assertEquals(Path.of("x"), o.out());
        assertEquals(10_000, o.evalImages());
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> BenchCommand.Options.parse(List.of("--rss-steps", "500")))
                .getMessage()
                .contains("--rss-steps"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> BenchCommand.Options.parse(List.of("--eval-images", "150")))
                .getMessage()
                .contains("multiple of 100"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCommand.Options.parse(List.of("--rounds")))
                .getMessage()
                .contains("--rounds needs a value"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> BenchCommand.Options.parse(List.of("--fast", "1")))
                        .getMessage()
                        .contains("unknown option '--fast'"));
    }

    @Test
    void trainerRssFiguresAreReadFromTheBenchmarksLineStepByStep() throws Exception {
        long mib = 1 << 20;
        JsonNode line = new ObjectMapper()
                .readTree("{\"rss_step_100\":" + 1000 * mib + ",\"rss_step_1000\":" + 1100 * mib
                        + ",\"rss_mib_every_100_steps\":[1000,1010,1020,1030,1040,1250,1060,1070,1080,1100]}");
        BenchResults r = new BenchResults();
        BenchCommand.putTrainerRss(r, line);
        assertEquals(0.10, r.values().get("trainer_rss_growth"), 1e-12);
        assertEquals(1040, r.values().get("trainer_rss_step_500_mib")); // the fifth reading is step 500
        assertEquals(1100.0 / 1040 - 1, r.values().get("trainer_rss_growth_500_to_1000"), 1e-12);
        assertEquals(1250, r.values().get("trainer_rss_peak_mib"));

        JsonNode shortLine = new ObjectMapper()
                .readTree("{\"rss_step_100\":1,\"rss_step_1000\":1,\"rss_mib_every_100_steps\":[1,1]}");
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> BenchCommand.putTrainerRss(new BenchResults(), shortLine));
        assertTrue(e.getMessage().contains("rss_mib_every_100_steps"), e.getMessage());
    }
}
