package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.model.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/pipeline sweep} as a user runs it: a 2×2 grid of learning rate and weight decay on 256 synthetic images,
 * two trainer processes on one broker. Every run trains and is scored, both trainers take runs, and the report has
 * {@code sweep.json} in the shape, {@code sweep.html}, each run's summary and chart, and the winner's weights
 * in the seed's names; no process is left behind.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PipelineSweepCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    @Test
    void aGridSweepOnTwoTrainersReportsEveryRunAndExportsTheWinner() throws Exception {
        String sweep = "cli-sweep-" + Long.toString(System.currentTimeMillis(), 36);
        Path report = Path.of("target", "sweep-report").toAbsolutePath();
        int port = ServiceProcess.freeBrokerPort();
        try {
            Path out = Files.createDirectories(report).resolve("sweep.out");
            List<String> command = new ArrayList<>(List.of(
                    ROOT.resolve("bin/pipeline").toString(),
                    "sweep",
                    "--synthetic",
                    "--limit-train",
                    "256",
                    "--limit-test",
                    "100",
                    "--epochs",
                    "2",
                    "--batch-size",
                    "32",
                    "--trainers",
                    "2",
                    "--grid",
                    "maxLearningRate=0.02,0.1",
                    "--grid",
                    "weightDecay=0,0.005",
                    "--sweep-id",
                    sweep,
                    "--report",
                    report.toString(),
                    "--kafka-port",
                    Integer.toString(port)));
            Process p = new ProcessBuilder(command)
                    .directory(ROOT.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            assertTrue(p.waitFor(6, TimeUnit.MINUTES), "ended in time:\n" + Files.readString(out));
            assertEquals(0, p.exitValue(), Files.readString(out));

            JsonNode json = new ObjectMapper().readTree(Files.readString(report.resolve("sweep.json")));
            assertEquals(sweep, json.get("sweep").asText());
            assertEquals(4, json.get("runs").size());
            String winner = json.get("winner").asText();
            double best = -1;
            String bestRun = null;
            for (JsonNode run : json.get("runs")) {
                String id = run.get("run").asText();
                assertTrue(
                        run.get("values").has("maxLearningRate")
                                && run.get("values").has("weightDecay"),
                        id);
                assertEquals(2, run.get("epochs").size(), id);
                for (JsonNode epoch : run.get("epochs")) {
                    double accuracy = epoch.get("test_accuracy").asDouble(-1);
                    assertTrue(
                            accuracy >= 0
                                    && accuracy <= 1
                                    && epoch.get("train_loss").isNumber(),
                            epoch.toString());
                }
                assertEquals("finished", run.get("status").asText(), id);
                assertTrue(!run.get("stopped_early").asBoolean(), id);
                if (run.get("best_test_accuracy").asDouble() > best) {
                    best = run.get("best_test_accuracy").asDouble();
                    bestRun = id;
                }
                String chart = Files.readString(report.resolve(id).resolve("chart.html"));
                assertTrue(chart.contains("test-accuracy"), id);
                // the run's losses from its trainer's log (two trainers' logs, read by run), one dot each
                assertTrue(chart.contains("<circle class=\"train-loss\""), id + ": its logged training losses");
                assertEquals(
                        id,
                        new ObjectMapper()
                                .readTree(Files.readString(report.resolve(id).resolve("summary.json")))
                                .get("run")
                                .asText());
            }
            assertEquals(bestRun, winner, "the winner has the best test accuracy");
            assertEquals(10, json.get("winner_confusion").size(), "the winner's confusion matrix");
            assertTrue(Files.readString(report.resolve("sweep.html")).contains("\"winner\" : \"" + winner + "\""));
            SafeTensors.File weights = SafeTensors.read(Files.readAllBytes(report.resolve("winner.safetensors")));
            assertTrue(
                    weights.tensors().containsKey("layer1.conv2D1.weight"),
                    weights.tensors().keySet().toString());
            assertEquals(winner, weights.metadata().get("run"));
            String first = Files.readString(report.resolve("logs/trainer-service.log"));
            String second = Files.readString(report.resolve("logs/trainer-service-2.log"));
            assertTrue(
                    first.contains("claimed run " + sweep + "-") && second.contains("claimed run " + sweep + "-"),
                    "the runs spread over both trainers");
            try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
                List<String> left = all.map(h -> h.info().commandLine().orElse(""))
                        .filter(c -> c.contains("/.run/sweeps/" + sweep)
                                || (c.contains("quarkus-run.jar")
                                        && c.contains("-Dkafka.bootstrap.servers=localhost:" + port)))
                        .toList();
                assertTrue(left.isEmpty(), "processes left behind: " + left);
            }
        } finally {
            Path sweepDir = ROOT.resolve(".run/sweeps").resolve(sweep);
            if (Files.exists(sweepDir)) {
                try (Stream<Path> files = Files.walk(sweepDir)) {
                    files.sorted(Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
