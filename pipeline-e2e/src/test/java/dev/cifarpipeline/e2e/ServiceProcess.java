package dev.cifarpipeline.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/** One service started as its own JVM from its packaged jar ({@code target/quarkus-app/quarkus-run.jar}). */
final class ServiceProcess implements AutoCloseable {
    private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    private final String module;
    private final int port;
    private final Path log;
    private final Process process;

    private ServiceProcess(String module, int port, Path log, Process process) {
        this.module = module;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static Path jar(String module) {
        Path jar = ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify builds them before this module)");
        }
        return jar;
    }

    static ServiceProcess start(String module, String heap, Map<String, String> properties, Path logDir) throws IOException {
        return start(module, heap, properties, Map.of(), logDir);
    }

    /** With environment variables too, as compose and Kubernetes configure the services (e.g. KAFKA_SECURITY_PROTOCOL). */
    static ServiceProcess start(String module, String heap, Map<String, String> properties, Map<String, String> environment, Path logDir)
            throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dai.djl.offline=true", "-Dquarkus.http.port=" + port));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar(module).toString());
        Files.createDirectories(logDir);
        Path log = logDir.resolve(module + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new ServiceProcess(module, port, log, process);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The service's HTTP interface. */
    ServiceEndpoint endpoint() {
        return ServiceEndpoint.local(port);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return endpoint().get(path);
    }

    HttpResponse<String> post(String path, String json, String... headers) throws IOException, InterruptedException {
        return endpoint().post(path, json, headers);
    }

    HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return endpoint().getBytes(path);
    }

    HttpResponse<String> postBytes(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return endpoint().postBytes(path, contentType, body);
    }

    void submitRun(String specJson, String... headers) throws IOException, InterruptedException {
        endpoint().submitRun(specJson, headers);
    }

    /** Waits until {@code /q/health/ready} answers 200, failing early if the process died. */
    void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + ":\n" + tail(40));
            }
            if (endpoint().ready()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(module + " not ready after " + timeout + ":\n" + tail(40) + "\n" + threadsOfOurs());
    }

    /**
     * The stacks of the service's own threads (those with a frame of ours), from {@code jcmd Thread.print}: where a
     * service that never gets ready is waiting. The whole dump is kept next to the log.
     */
    private String threadsOfOurs() {
        try {
            Path dump = log.resolveSibling(module + "-threads.txt");
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(process.pid()),
                    "Thread.print").redirectErrorStream(true).redirectOutput(dump.toFile()).start();
            if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
                return "(no thread dump: jcmd did not answer)";
            }
            StringBuilder ours = new StringBuilder("threads of ours (whole dump in " + dump + "):\n");
            for (String block : Files.readString(dump).split("\n\n")) {
                if (block.contains("dev.cifarpipeline.")) {
                    ours.append(block).append("\n\n");
                }
            }
            return ours.toString();
        } catch (IOException e) {
            return "(no thread dump: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    OptionalDouble metric(String name, String... labels) throws IOException, InterruptedException {
        return endpoint().metric(name, labels);
    }

    /**
     * The last lines of the log, leaving out the health checks' "reporting down" lines (one per poll while a service
     * starts, they would push out everything else) except the latest.
     */
    String tail(int lines) {
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
            throw new UncheckedIOException(e);
        }
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    int port() {
        return port;
    }

    String module() {
        return module;
    }

    Process process() {
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
