package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/kafka-broker}, the broker process users run, for tests that stop, restart or secure it. Closing it
 * stops the broker (stopping one that is not running is harmless).
 */
final class BrokerProcess implements AutoCloseable {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    private final Path dir;
    private final List<String> startArgs;

    private BrokerProcess(Path dir, List<String> startArgs) {
        this.dir = dir;
        this.startArgs = startArgs;
    }

    /** Starts a broker on {@code port} with its data in {@code dir}; {@code options} as bin/kafka-broker takes them. */
    static BrokerProcess start(Path dir, int port, String... options) throws Exception {
        List<String> args =
                new ArrayList<>(List.of("start", "--port", Integer.toString(port), "--dir", dir.toString()));
        args.addAll(List.of(options));
        BrokerProcess broker = new BrokerProcess(dir, List.copyOf(args));
        broker.startAgain();
        return broker;
    }

    /** Starts it again on the same port and data (after {@link #stop}). */
    void startAgain() throws Exception {
        command(startArgs);
    }

    /** Stops it (SIGTERM, then SIGKILL after 20 s), keeping its data. */
    void stop() throws Exception {
        command(List.of("stop", "--dir", dir.toString()));
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    /** Runs {@code bin/kafka-broker ARGS}, failing with its output unless it succeeds within 3 minutes (a secured one applies its ACLs first). */
    private static void command(List<String> args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of(ROOT.resolve("bin/kafka-broker").toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(180, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ":\n" + out);
    }
}
