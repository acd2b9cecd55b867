package dev.cifarpipeline.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A service started as its own JVM from its packaged jar ({@code <module>/target/quarkus-app/quarkus-run.jar}), its
 * output in a log file: the one way {@code bin/pipeline} ({@link LocalStack}) and the end-to-end tests start a
 * service and wait until it answers {@code /q/health/ready}.
 */
public final class PackagedService {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final String module;
    private final int port;
    private final Process process;
    private final Path log;

    private PackagedService(String module, int port, Process process, Path log) {
        this.module = module;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** The module's packaged jar, or an error saying it is missing and how to build it. */
    public static Path jar(Path root, String module) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: build first (./mvnw -DskipTests install; bin/pipeline builds what is missing)");
        }
        return jar;
    }

    /**
     * Starts {@code module} on {@code port} with the JVM flags, {@code -D} settings and environment given; its output
     * goes to {@code log} (appended, so a resumed run adds to its logs). Does not wait for it.
     */
    public static PackagedService start(
            Path root,
            String module,
            int port,
            List<String> jvmOptions,
            Map<String, String> properties,
            Map<String, String> environment,
            Path log)
            throws IOException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-Dai.djl.offline=true");
        command.add("-Dquarkus.http.port=" + port);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar(root, module).toString());
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(NativeAllocator.environment()); // as in the images; the caller's settings win
        builder.environment().putAll(environment);
        return new PackagedService(module, port, builder.start(), log);
    }

    public String module() {
        return module;
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    public String url(String path) {
        return "http://localhost:" + port + path;
    }

    /** Whether {@code /q/health/ready} answers 200 now. */
    public boolean ready() throws InterruptedException {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create(url("/q/health/ready")))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException notListening) {
            return false;
        }
    }

    /**
     * Waits until the service is ready. A service that exits fails at once with the end of its log; one that is not
     * ready in time fails with the log's end and whatever {@code diagnosis} adds (a thread dump, say).
     */
    public void awaitReady(Duration timeout, Supplier<String> diagnosis) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        module + " exited with " + process.exitValue() + "; the end of " + log + ":\n" + tail(40));
            }
            if (ready()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(module + " not ready after " + timeout.toSeconds() + " s; the end of "
                        + log + ":\n" + tail(40) + "\n" + diagnosis.get());
            }
            Thread.sleep(250);
        }
    }

    /**
     * The last lines of the log, leaving out the health checks' "reporting down" lines (one per poll while a service
     * starts, they would push out everything else) except the latest.
     */
    public String tail(int lines) {
        try {
            List<String> all = new ArrayList<>();
            String lastHealth = null;
            for (String line : Files.readAllLines(log)) {
                if (line.contains("SRHCK01001")) {
                    lastHealth = line;
                } else {
                    all.add(line);
                }
            }
            if (lastHealth != null) {
                all.add(lastHealth);
            }
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
