package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.cli.PipelineCommand;
import dev.cifarpipeline.cli.RunOptions;
import dev.cifarpipeline.model.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/pipeline run} as a user runs it, in-process: a broker of its own from {@code bin/kafka-broker}, the
 * three packaged services, a run on the first 1,000 synthetic images for two epochs, followed to its end; then
 * the report: summary.json in the shape, the chart, the best model as safetensors in the seed's names,
 * and no process left behind.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class PipelineCommandTest {
    private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    @Test
    void theMainJobTrainsARunAndWritesItsReport() throws Exception {
        String run = "cli-test-" + Long.toString(System.currentTimeMillis(), 36);
        Path report = Path.of("target", "cli-report").toAbsolutePath();
        int port = ServiceProcess.freePort();
        try {
            int status = PipelineCommand.run(RunOptions.parse(List.of("--synthetic", "--limit-train", "1000", "--limit-test", "300",
                    "--epochs", "2", "--batch-size", "32", "--run-id", run, "--report", report.toString(), "--kafka-port",
                    Integer.toString(port))), ROOT);
            assertEquals(0, status, "the run finished");
            JsonNode summary = new ObjectMapper().readTree(Files.readString(report.resolve("summary.json")));
            assertEquals(run, summary.get("run").asText());
            assertEquals("stable", summary.get("preset").asText());
            assertEquals("synthetic", summary.get("dataset").get("kind").asText());
            assertEquals(1000, summary.get("dataset").get("train_images").asInt());
            assertEquals(300, summary.get("dataset").get("test_images").asInt());
            assertEquals(2, summary.get("epochs").size());
            for (JsonNode epoch : summary.get("epochs")) {
                assertTrue(epoch.get("train_loss").isNumber() && epoch.get("test_loss").isNumber(), epoch.toString());
                double accuracy = epoch.get("test_accuracy").asDouble(-1);
                assertTrue(accuracy >= 0 && accuracy <= 1, epoch.toString());
            }
            assertEquals("finished", summary.get("status").asText());
            assertTrue(Files.readString(report.resolve("chart.html")).contains("<svg"));
            SafeTensors.File best = SafeTensors.read(Files.readAllBytes(report.resolve("best.safetensors")));
            assertTrue(best.tensors().containsKey("layer1.conv2D1.weight") && best.metadata().get("run").equals(run), best.metadata().toString());
            assertTrue(Files.isRegularFile(report.resolve("logs/trainer-service.log")));
            try (Stream<ProcessHandle> left = ProcessHandle.allProcesses()) {
                List<String> ours = left.map(p -> p.info().commandLine().orElse("")).filter(c -> c.contains(ROOT + "/.run/runs/" + run)
                        || (c.contains("quarkus-run.jar") && c.contains("-Dkafka.bootstrap.servers=localhost:" + port))).toList();
                assertTrue(ours.isEmpty(), "processes left behind: " + ours);
            }
        } finally {
            Path runDir = ROOT.resolve(".run/runs").resolve(run);
            if (Files.exists(runDir)) {
                try (Stream<Path> files = Files.walk(runDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
