package dev.cifarpipeline.cli;

import dev.cifarpipeline.events.access.ApiAccess;
import dev.cifarpipeline.events.kafka.ServiceAccess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The pipeline on this machine: a real KRaft broker ({@code bin/kafka-broker}, Maven Central jars, no Docker) and
 * the three services as separate JVMs from their packaged jars, each logging to the report folder. Closing it
 * stops the services with SIGTERM (the trainer checkpoints its run and leaves its group), then the broker.
 */
public final class LocalStack implements AutoCloseable {
    private final Path root;
    private final Path brokerDir;
    private final int kafkaPort;
    private final Consumer<String> say;
    private final Map<String, PackagedService> services = new LinkedHashMap<>();
    private boolean brokerStarted;
    /** The services' API token: the caller's PIPELINE_API_TOKEN, or one made up for this stack's lifetime. */
    private final String apiToken = Optional.ofNullable(System.getenv("PIPELINE_API_TOKEN"))
            .filter(t -> !t.isBlank())
            .orElseGet(ApiAccess::generateToken);

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
        startBroker(Optional.empty());
    }

    /**
     * Starts the broker, with {@code security} ({@code plaintext} or {@code sasl-ssl}) when its folder is new; a
     * folder made earlier keeps its own. Each client then logs in with what the broker left in its folder for its
     * Kafka user (clients/&lt;user&gt;.env, see {@link ServiceAccess}).
     */
    public void startBroker(Optional<String> security) throws IOException, InterruptedException {
        say.accept("starting a Kafka broker on " + bootstrap() + " (data in " + brokerDir + ")");
        List<String> command = new ArrayList<>(List.of(
                root.resolve("bin/kafka-broker").toString(),
                "start",
                "--port",
                Integer.toString(kafkaPort),
                "--dir",
                brokerDir.toAbsolutePath().toString()));
        security.ifPresent(s -> command.addAll(List.of("--security", s)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the broker did not start:\n" + out);
        }
        brokerStarted = true;
    }

    /**
     * The KAFKA_* variables with which {@code role} reaches this broker (bootstrap, and for a secured one protocol,
     * mechanism, its own login and the broker's certificate): the services get them as environment, which keeps the
     * password off their command lines.
     */
    public Map<String, String> clientEnvironment(ServiceAccess.Role role) throws IOException {
        return readClientEnvironment(brokerDir.resolve("clients").resolve(role.user() + ".env"));
    }

    /** The bearer token the started services require for submitting, stopping and scoring. */
    public String apiToken() {
        return apiToken;
    }

    /** The viewer's settings as Kafka client properties, for this command's own clients (which only read). */
    public Map<String, Object> clientConfig() throws IOException {
        Map<String, Object> config = new HashMap<>();
        clientEnvironment(ServiceAccess.Role.VIEWER)
                .forEach((k, v) -> config.put(
                        k.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), v));
        return config;
    }

    private Map<String, String> readClientEnvironment(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        if (brokerStarted && Files.isRegularFile(file)) {
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
     * A port {@code p} with {@code p … p + count - 1} free now (a broker takes two: its own and its controller's, one
     * up), picked at random below Linux's ephemeral range (32768 up): a port the system handed out as free is itself
     * ephemeral, and the next one up may be any outgoing connection's source port by the time the server binds it.
     */
    public static int freePorts(int count) throws IOException {
        for (int attempt = 0; attempt < 500; attempt++) {
            int first =
                    20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000 - count);
            boolean free = true;
            for (int p = first; p < first + count && free; p++) {
                try (ServerSocket probe = new ServerSocket(p)) {
                    free = probe.getLocalPort() == p;
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " free ports in a row between 20000 and 32000");
    }

    /**
     * A service's JVM flags, from its module's {@code jvm.options}: the one place they are written, which the
     * container image reads too (deploy/docker/service.Dockerfile).
     */
    public static List<String> jvmOptions(Path root, String module) throws IOException {
        return Arrays.asList(Files.readString(root.resolve(module).resolve("jvm.options"))
                .trim()
                .split("\\s+"));
    }

    /** Starts {@code module}'s packaged jar on {@code port} with {@code properties}; does not wait for it. */
    public PackagedService start(
            String module, int port, List<String> jvmOptions, Map<String, String> properties, Path logs)
            throws IOException {
        return start(module, module, port, jvmOptions, properties, logs);
    }

    /**
     * As {@link #start(String, int, List, Map, Path)}, under {@code name} (its log {@code <name>.log}): how a second
     * replica of a module, a trainer of a sweep, is started beside the first.
     */
    public PackagedService start(
            String name, String module, int port, List<String> jvmOptions, Map<String, String> properties, Path logs)
            throws IOException {
        PackagedService.jar(root, module);
        try (ServerSocket probe = new ServerSocket(port)) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "port " + port + " for " + module + " is taken: stop what listens there, or the pipeline "
                            + "left running by an earlier command (bin/kafka-broker status)");
        }
        Map<String, String> settings = new LinkedHashMap<>(properties);
        settings.put(
                "kafka.bootstrap.servers", bootstrap()); // the rest of the client settings (secrets) go by environment
        Map<String, String> environment = new LinkedHashMap<>(clientEnvironment(ServiceAccess.Role.ofService(module)));
        environment.put("PIPELINE_API_TOKEN", apiToken); // by environment: off the command line
        PackagedService s = PackagedService.start(
                root, module, port, jvmOptions, settings, environment, logs.resolve(name + ".log"));
        services.put(name, s);
        return s;
    }

    /** Waits until every started service answers {@code /q/health/ready}; a service that exits fails with its log's tail. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (PackagedService s : services.values()) {
            s.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), () -> "");
        }
    }

    /** Stops one service (SIGTERM, then SIGKILL after two minutes) and forgets it. */
    public void stop(String name) throws InterruptedException {
        PackagedService s = services.remove(name);
        if (s == null) {
            return;
        }
        s.process().destroy();
        if (!s.process().waitFor(120, TimeUnit.SECONDS)) {
            say.accept(name + " did not stop within 120 s; killing it");
            s.process().destroyForcibly().waitFor();
        }
    }

    public PackagedService service(String name) {
        return services.get(name);
    }

    /** Stops the services (trainer first, so its last checkpoint reaches a running broker), then the broker. */
    @Override
    public void close() throws InterruptedException, IOException {
        List<PackagedService> order = new ArrayList<>();
        for (String m : List.of("data-ingest-service", "trainer-service", "evaluator-service")) {
            services.values().stream().filter(s -> s.module().equals(m)).forEach(order::add);
        }
        for (PackagedService s : order) {
            s.process().destroy();
        }
        for (PackagedService s : order) {
            if (!s.process().waitFor(150, TimeUnit.SECONDS)) {
                say.accept(s.module() + " did not stop within 150 s; killing it");
                s.process().destroyForcibly().waitFor();
            }
        }
        services.clear();
        if (brokerStarted) {
            Process p = new ProcessBuilder(
                            root.resolve("bin/kafka-broker").toString(),
                            "stop",
                            "--dir",
                            brokerDir.toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            brokerStarted = false;
        }
    }
}
