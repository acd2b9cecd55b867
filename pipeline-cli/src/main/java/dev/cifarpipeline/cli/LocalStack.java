package dev.cifarpipeline.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The pipeline on this machine: a real KRaft broker ({@code bin/kafka-broker}, Maven Central jars, no Docker) and
 * the three services as separate JVMs from their packaged jars, each logging to the report folder. Closing it
 * stops the services with SIGTERM (the trainer checkpoints its run and leaves its group), then the broker.
 */
public final class LocalStack implements AutoCloseable {
    /** A started service. */
    public record Service(String module, int port, Process process, Path log) {
        public String url(String path) {
            return "http://localhost:" + port + path;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Path root;
    private final Path brokerDir;
    private final int kafkaPort;
    private final Consumer<String> say;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private boolean brokerStarted;
    private Map<String, String> clientEnvironment = Map.of();

    public LocalStack(Path root, Path brokerDir, int kafkaPort, Consumer<String> say) {
        this.root = root;
        this.brokerDir = brokerDir;
        this.kafkaPort = kafkaPort;
        this.say = say;
    }

    public String bootstrap() {
        return "localhost:" + kafkaPort;
    }

    public void startBroker() throws IOException, InterruptedException {
        startBroker(java.util.Optional.empty());
    }

    /**
     * Starts the broker, with {@code security} ({@code plaintext} or {@code sasl-ssl}) when its folder is new; a
     * folder made earlier keeps its own. Clients then use what the broker left in its folder (client.env).
     */
    public void startBroker(java.util.Optional<String> security) throws IOException, InterruptedException {
        say.accept("starting a Kafka broker on " + bootstrap() + " (data in " + brokerDir + ")");
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/kafka-broker").toString(), "start", "--port",
                Integer.toString(kafkaPort), "--dir", brokerDir.toAbsolutePath().toString()));
        security.ifPresent(s -> command.addAll(List.of("--security", s)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the broker did not start:\n" + out);
        }
        brokerStarted = true;
        clientEnvironment = readClientEnvironment(brokerDir.resolve("client.env"));
    }

    /**
     * The KAFKA_* variables that reach this broker (bootstrap, and for a secured one protocol, mechanism, login
     * and trust store): the services get them as environment, which keeps the password off their command lines.
     */
    public Map<String, String> clientEnvironment() {
        return clientEnvironment;
    }

    /** The same settings as Kafka client properties, for this command's own clients. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new java.util.HashMap<>();
        clientEnvironment.forEach((k, v) -> config.put(k.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.'), v));
        return config;
    }

    private Map<String, String> readClientEnvironment(Path file) throws IOException {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (line.startsWith("KAFKA_") && eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        env.putIfAbsent("KAFKA_BOOTSTRAP_SERVERS", bootstrap());
        return Map.copyOf(env);
    }

    /**
     * A service's JVM flags, from its module's {@code jvm.options}: the one place they are written, which the
     * container image reads too (deploy/docker/service.Dockerfile).
     */
    public static List<String> jvmOptions(Path root, String module) throws IOException {
        return Arrays.asList(Files.readString(root.resolve(module).resolve("jvm.options")).trim().split("\\s+"));
    }

    /** Starts {@code module}'s packaged jar on {@code port} with {@code properties}; does not wait for it. */
    public Service start(String module, int port, List<String> jvmOptions, Map<String, String> properties, Path logs) throws IOException {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (bin/pipeline builds what is missing)");
        }
        try (ServerSocket probe = new ServerSocket(port)) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " for " + module + " is taken: stop what listens there, or the pipeline "
                    + "left running by an earlier command (bin/kafka-broker status)");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dkafka.bootstrap.servers=" + bootstrap()); // the rest of the client settings (secrets) go by environment
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        Files.createDirectories(logs);
        Path log = logs.resolve(module + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // a resumed run adds to its logs
        builder.environment().putAll(clientEnvironment);
        Process process = builder.start();
        Service s = new Service(module, port, process, log);
        services.put(module, s);
        return s;
    }

    /** Waits until every started service answers {@code /q/health/ready}; a service that exits fails with its log's tail. */
    public void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Service s : services.values()) {
            while (true) {
                if (!s.process().isAlive()) {
                    throw new IllegalStateException(s.module() + " exited with " + s.process().exitValue() + "; the end of " + s.log() + ":\n"
                            + tail(s.log(), 25));
                }
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create(s.url("/q/health/ready"))).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(s.module() + " not ready after " + timeout.toSeconds() + " s; see " + s.log());
                }
                Thread.sleep(300);
            }
        }
    }

    /** Stops one service (SIGTERM, then SIGKILL after two minutes) and forgets it. */
    public void stop(String module) throws InterruptedException {
        Service s = services.remove(module);
        if (s == null) {
            return;
        }
        s.process().destroy();
        if (!s.process().waitFor(120, TimeUnit.SECONDS)) {
            say.accept(module + " did not stop within 120 s; killing it");
            s.process().destroyForcibly().waitFor();
        }
    }

    public Service service(String module) {
        return services.get(module);
    }

    public static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the services (trainer first, so its last checkpoint reaches a running broker), then the broker. */
    @Override
    public void close() throws InterruptedException, IOException {
        List<Service> order = new ArrayList<>();
        for (String m : List.of("data-ingest-service", "trainer-service", "evaluator-service")) {
            if (services.containsKey(m)) {
                order.add(services.get(m));
            }
        }
        for (Service s : order) {
            s.process().destroy();
        }
        for (Service s : order) {
            if (!s.process().waitFor(150, TimeUnit.SECONDS)) {
                say.accept(s.module() + " did not stop within 150 s; killing it");
                s.process().destroyForcibly().waitFor();
            }
        }
        services.clear();
        if (brokerStarted) {
            Process p = new ProcessBuilder(root.resolve("bin/kafka-broker").toString(), "stop", "--dir", brokerDir.toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            brokerStarted = false;
        }
    }
}
