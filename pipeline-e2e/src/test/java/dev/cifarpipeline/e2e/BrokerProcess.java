package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code bin/kafka-broker}, the broker process users run, driven by tests that stop, restart or secure it. */
final class BrokerProcess {
    private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    private BrokerProcess() {
    }

    /** Runs {@code bin/kafka-broker ARGS}, failing with its output unless it succeeds within 90 s. */
    static void command(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/kafka-broker").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(90, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ":\n" + out);
    }
}
