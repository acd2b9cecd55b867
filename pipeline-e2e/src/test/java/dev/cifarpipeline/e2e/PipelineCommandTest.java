package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.model.SafeTensors;
import dev.cifarpipeline.testsupport.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/pipeline run} as a user runs it: the command itself, on the first 1,000 synthetic images for three
 * epochs, its broker secured ({@code --kafka-security sasl-ssl}: the services and the command's own follower
 * reach it over TLS with SCRAM; the resumed run's broker keeps it). Interrupted (SIGINT, as Ctrl-C) once the first epoch is scored, it stops cleanly: status
 * "interrupted", every process ended. Run again with {@code --resume}, the run continues from the checkpoint
 * the trainer took on stopping and finishes with one step per batch per epoch; then the report: summary.json in
 * the shape, the chart, the best model as safetensors in the seed's names, no process left behind.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PipelineCommandTest {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    @Test
    void theMainJobStopsCleanlyOnCtrlCAndResumesToTheEnd() throws Exception {
        String run = "cli-test-" + Long.toString(System.currentTimeMillis(), 36);
        Path report = Path.of("target", "cli-report").toAbsolutePath();
        int port = ServiceProcess.freeBrokerPort();
        List<String> args = List.of(
                "run",
                "--synthetic",
                "--limit-train",
                "1000",
                "--limit-test",
                "300",
                "--epochs",
                "3",
                "--batch-size",
                "32",
                "--report",
                report.toString(),
                "--kafka-port",
                Integer.toString(port));
        try {
            Path firstOut = Files.createDirectories(report).resolve("first.out");
            Process first = command(args, List.of("--run-id", run, "--kafka-security", "sasl-ssl"), firstOut);
            Eventually.await(
                    "epoch 1 scored",
                    Duration.ofMinutes(4),
                    () -> {
                        assertTrue(first.isAlive(), Files.readString(firstOut));
                        return Files.readString(firstOut);
                    },
                    out -> out.contains("epoch 1: test accuracy"));
            // Ctrl-C is SIGINT; a build started in the background without job control inherits SIGINT ignored,
            // and the JVM then leaves it ignored: there SIGTERM (the same shutdown path) stands in for it.
            boolean sigintIgnored = sigintIgnored();
            assertEquals(
                    0,
                    new ProcessBuilder("kill", sigintIgnored ? "-TERM" : "-INT", Long.toString(first.pid()))
                            .start()
                            .waitFor());
            assertTrue(first.waitFor(4, TimeUnit.MINUTES), "stopped");
            assertEquals(
                    sigintIgnored ? 143 : 130,
                    first.exitValue(),
                    "the conventional status after the signal:\n" + Files.readString(firstOut));
            JsonNode interrupted = summary(report);
            assertEquals("interrupted", interrupted.get("status").asText());
            assertTrue(interrupted.get("epochs").size() >= 1);
            assertNoProcessLeft(run, port);
            Path brokerDir = ROOT.resolve(".run/runs").resolve(run).resolve("kafka");
            assertEquals(
                    "sasl-ssl",
                    Files.readString(brokerDir.resolve("security")).trim(),
                    "the run's broker speaks TLS with SCRAM only");
            assertTrue(Files.readString(brokerDir.resolve("server.properties"))
                    .contains("listeners=SASL_SSL://localhost:" + port));

            Path secondOut = report.resolve("second.out");
            Process second = command(args, List.of("--resume", run), secondOut);
            assertTrue(second.waitFor(5, TimeUnit.MINUTES), "finished in time:\n" + Files.readString(secondOut));
            assertEquals(0, second.exitValue(), Files.readString(secondOut));
            String trainerLog = Files.readString(report.resolve("logs/trainer-service.log"));
            assertTrue(
                    trainerLog.contains("run " + run + " resumed at step"),
                    "the resumed trainer restored the stop checkpoint");
            assertTrue(
                    trainerLog.contains("run " + run + " finished: 3 epoch(s), 96 steps"),
                    "one step per batch per epoch (3 x 32)");

            JsonNode summary = summary(report);
            assertEquals(run, summary.get("run").asText());
            assertEquals("stable", summary.get("preset").asText());
            assertEquals("vgg11", summary.get("model").asText());
            assertEquals("synthetic", summary.get("dataset").get("kind").asText());
            assertEquals(1000, summary.get("dataset").get("train_images").asInt());
            assertEquals(300, summary.get("dataset").get("test_images").asInt());
            assertEquals(3, summary.get("epochs").size());
            for (JsonNode epoch : summary.get("epochs")) {
                assertTrue(
                        epoch.get("train_loss").isNumber()
                                && epoch.get("test_loss").isNumber(),
                        epoch.toString());
                double accuracy = epoch.get("test_accuracy").asDouble(-1);
                assertTrue(accuracy >= 0 && accuracy <= 1, epoch.toString());
            }
            assertEquals("finished", summary.get("status").asText());
            String chart = Files.readString(report.resolve("chart.html"));
            // the trainer's logged losses, one dot each, and a marked point per scored checkpoint (3 at least)
            assertTrue(chart.contains("<circle class=\"train-loss\""), "the logged training losses are drawn");
            assertTrue(
                    chart.split("<circle class=\"test-accuracy\"", -1).length - 1 >= 3,
                    "each evaluation is a marked point");
            SafeTensors.File best = SafeTensors.read(Files.readAllBytes(report.resolve("best.safetensors")));
            assertTrue(
                    best.tensors().containsKey("layer1.conv2D1.weight")
                            && best.metadata().get("run").equals(run),
                    best.metadata().toString());
            try (Stream<Path> left = Files.list(report)) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "nothing half-written");
            }
            assertNoProcessLeft(run, port);
        } finally {
            Path runDir = ROOT.resolve(".run/runs").resolve(run);
            if (Files.exists(runDir)) {
                try (Stream<Path> files = Files.walk(runDir)) {
                    files.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Whether this JVM (and so the command it starts) has SIGINT ignored: bit 2 of SigIgn in /proc/self/status. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(
                                        line.substring("SigIgn:".length()).trim(), 16)
                                & (1L << 1))
                        != 0;
            }
        }
        return false;
    }

    private static Process command(List<String> args, List<String> more, Path out) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(ROOT.resolve("bin/pipeline").toString()));
        command.addAll(args);
        command.addAll(more);
        return new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
    }

    private static JsonNode summary(Path report) throws Exception {
        return new ObjectMapper().readTree(Files.readString(report.resolve("summary.json")));
    }

    private static void assertNoProcessLeft(String run, int port) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            List<String> ours = all.map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains("/.run/runs/" + run)
                            || (c.contains("quarkus-run.jar")
                                    && c.contains("-Dkafka.bootstrap.servers=localhost:" + port)))
                    .toList();
            assertTrue(ours.isEmpty(), "processes left behind: " + ours);
        }
    }
}
