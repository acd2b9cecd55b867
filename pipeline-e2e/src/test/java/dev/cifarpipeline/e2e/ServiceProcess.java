package dev.cifarpipeline.e2e;

import dev.cifarpipeline.cli.LocalStack;
import dev.cifarpipeline.cli.PackagedService;
import dev.cifarpipeline.events.access.ApiAccess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * One service started as its own JVM from its packaged jar, as {@code bin/pipeline} starts it ({@link PackagedService}),
 * with a fresh log of its own and a heap of the test's choosing.
 */
final class ServiceProcess implements AutoCloseable {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    /**
     * The API token of every service a test starts without configuring {@code pipeline.api.*} itself: services refuse
     * state-changing requests when none is configured, as they would in production.
     */
    static final String API_TOKEN = "e2e-api-token";

    private final PackagedService service;
    private final Optional<String> apiToken;

    private ServiceProcess(PackagedService service, Optional<String> apiToken) {
        this.service = service;
        this.apiToken = apiToken;
    }

    static ServiceProcess start(String module, String heap, Map<String, String> properties, Path logDir)
            throws IOException {
        return start(module, heap, properties, Map.of(), logDir);
    }

    /** With environment variables too, as compose and Kubernetes configure the services (e.g. KAFKA_SECURITY_PROTOCOL). */
    static ServiceProcess start(
            String module, String heap, Map<String, String> properties, Map<String, String> environment, Path logDir)
            throws IOException {
        Path log = logDir.resolve(module + ".log");
        Files.deleteIfExists(log); // each start's log is its own: assertions read what this process wrote
        Map<String, String> settings = new LinkedHashMap<>(properties);
        if (settings.keySet().stream().noneMatch(k -> k.startsWith("pipeline.api."))) {
            settings.put(ApiAccess.TOKEN_KEY, API_TOKEN);
        }
        return new ServiceProcess(
                PackagedService.start(ROOT, module, freePort(), List.of("-Xmx" + heap), settings, environment, log),
                Optional.ofNullable(settings.get(ApiAccess.TOKEN_KEY)));
    }

    /** Ingest on {@code bootstrap} streaming {@code dataset} for {@code epochs} in batches of 32, plus {@code more} (key, value, …). */
    static ServiceProcess ingest(String bootstrap, Path dataset, int epochs, Path logDir, String... more)
            throws IOException {
        List<String> pairs = new ArrayList<>(List.of(
                "ingest.dataset-dir",
                dataset.toString(),
                "ingest.epochs",
                String.valueOf(epochs),
                "ingest.batch-size",
                "32"));
        pairs.addAll(List.of(more));
        return start("data-ingest-service", "512m", settings(bootstrap, pairs.toArray(String[]::new)), logDir);
    }

    /** A trainer on {@code bootstrap} with a 1 GB heap, plus {@code more} settings (key, value, …). */
    static ServiceProcess trainer(String bootstrap, Path logDir, String... more) throws IOException {
        return start("trainer-service", "1g", settings(bootstrap, more), logDir);
    }

    /** An evaluator on {@code bootstrap} with a 1 GB heap, plus {@code more} settings (key, value, …). */
    static ServiceProcess evaluator(String bootstrap, Path logDir, String... more) throws IOException {
        return start("evaluator-service", "1g", settings(bootstrap, more), logDir);
    }

    /** Waits until every one of {@code services} is ready. */
    static void awaitAllReady(List<ServiceProcess> services) throws InterruptedException {
        for (ServiceProcess s : services) {
            s.awaitReady(Duration.ofSeconds(120));
        }
    }

    private static Map<String, String> settings(String bootstrap, String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("kafka.bootstrap.servers", bootstrap);
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    /** A free port for a service (below the ephemeral range: {@link LocalStack#freePorts}). */
    static int freePort() throws IOException {
        return LocalStack.freePorts(1);
    }

    /** A free port for a broker, whose controller listens one up: both free. */
    static int freeBrokerPort() throws IOException {
        return LocalStack.freePorts(2);
    }

    /** The service's HTTP interface. */
    ServiceEndpoint endpoint() {
        return ServiceEndpoint.local(service.port(), apiToken);
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

    HttpResponse<String> postBytes(String path, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        return endpoint().postBytes(path, contentType, body, headers);
    }

    void submitRun(String specJson, String... headers) throws IOException, InterruptedException {
        endpoint().submitRun(specJson, headers);
    }

    OptionalDouble metric(String name, String... labels) throws IOException, InterruptedException {
        return endpoint().metric(name, labels);
    }

    /** Waits until {@code /q/health/ready} answers 200, failing early if the process died; shows our threads if it never does. */
    void awaitReady(Duration timeout) throws InterruptedException {
        service.awaitReady(timeout, this::threadsOfOurs);
    }

    /**
     * The stacks of the service's own threads (those with a frame of ours), from {@code jcmd Thread.print}: where a
     * service that never gets ready is waiting. The whole dump is kept next to the log.
     */
    private String threadsOfOurs() {
        try {
            Path dump = service.log().resolveSibling(service.module() + "-threads.txt");
            Process jcmd = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            String.valueOf(service.process().pid()),
                            "Thread.print")
                    .redirectErrorStream(true)
                    .redirectOutput(dump.toFile())
                    .start();
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

    /** The last lines of the log, without the health checks' repeated "reporting down" lines. */
    String tail(int lines) {
        return service.tail(lines);
    }

    String output() throws IOException {
        return Files.readString(service.log());
    }

    int port() {
        return service.port();
    }

    String module() {
        return service.module();
    }

    Process process() {
        return service.process();
    }

    @Override
    public void close() throws InterruptedException {
        Process process = service.process();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
