package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/pipeline bench} as a user runs it, made small (one round, a few steps, 500 test images, no long RSS
 * run): every figure of the issue lands in bench.json as a positive number, the seed's figures and ratios exactly
 * when this machine has Debian's python3-torch (and torchvision for the test loop), and no process is left.
 * The figures' values are not judged here: they are measurements (BENCHMARKS.md), not pass marks.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class PipelineBenchCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    @Test
    void benchMeasuresEveryFigureAndWritesThemAsFlatNumbers() throws Exception {
        Path out = Path.of("target", "bench-report").toAbsolutePath();
        Path log = Files.createDirectories(out).resolve("bench.out");
        Process bench = new ProcessBuilder(
                        ROOT.resolve("bin/pipeline").toString(),
                        "bench",
                        "--rounds",
                        "1",
                        "--train-steps",
                        "4",
                        "--warm",
                        "2",
                        "--eval-images",
                        "500",
                        "--ingest-images",
                        "2000",
                        "--rss-steps",
                        "0",
                        "--out",
                        out.toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(bench.waitFor(5, TimeUnit.MINUTES), "finished in time:\n" + Files.readString(log));
        assertEquals(0, bench.exitValue(), Files.readString(log));

        JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve("bench.json")));
        json.fields()
                .forEachRemaining(
                        e -> assertTrue(e.getValue().isNumber(), e.getKey() + " is not a number: " + e.getValue()));
        for (String key : List.of(
                "ingest_images_per_s",
                "trainer_images_per_s",
                "trainer_data_wait_fraction",
                "evaluator_images_per_s",
                "checkpoint_publish_seconds",
                "checkpoint_to_verified_seconds",
                "checkpoint_to_metrics_seconds",
                "producer_ceiling_images_per_s",
                "ingest_vs_producer_ceiling",
                "engine_fp32_gflops",
                "trainer_ceiling_fraction",
                "evaluator_ceiling_fraction",
                "ingest_startup_seconds",
                "trainer_startup_seconds",
                "evaluator_startup_seconds")) {
            assertTrue(json.has(key), key + " missing from " + json);
            assertTrue(json.get(key).doubleValue() >= 0, key + " = " + json.get(key));
        }
        assertTrue(json.get("trainer_images_per_s").doubleValue() > 0
                && json.get("evaluator_images_per_s").doubleValue() > 0);
        assertTrue(
                json.get("checkpoint_to_verified_seconds").doubleValue()
                        <= json.get("checkpoint_to_metrics_seconds").doubleValue(),
                "a checkpoint is verified before its accuracy is published");
        String table = Files.readString(out.resolve("bench.txt"));
        // the command's own rule: the seed's script (tools/reference) under Debian's python3-torch
        boolean torch = python("import torch");
        assertEquals(torch, json.has("trainer_vs_seed"), table);
        assertEquals(torch, json.has("torch_bf16_gflops"), table);
        // the test() loop's script is this repository's own (tools/reference): python3-torch and torchvision suffice
        assertEquals(python("import torch, torchvision"), json.has("evaluator_vs_seed"), table);
        if (!torch) {
            assertTrue(table.contains("note: no seed reference for the trainer"), table);
        }
        assertFalse(json.has("trainer_rss_growth"), "--rss-steps 0 skips the long run");
        assertTrue(table.contains("note: trainer RSS not measured"), table);
        try (var all = ProcessHandle.allProcesses()) {
            List<String> left = all.map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains("/.run/bench/"))
                    .toList();
            assertTrue(left.isEmpty(), "processes left behind: " + left);
        }
    }

    private static boolean python(String code) throws Exception {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", code)
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
