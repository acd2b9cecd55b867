package dev.cifarpipeline.e2e;

import dev.cifarpipeline.testsupport.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The repository's compose files run by the real compose CLI against a real Docker engine, as a user runs them:
 * {@code docker-compose} (v1) or {@code docker compose} (v2, when {@code COMPOSE_COMMAND} says so), under a project
 * name of the test's own, with settings given as the environment a user would put in {@code .env}.
 */
final class ComposeStack implements AutoCloseable {
    static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

    /** What a command printed (stdout and stderr together) and its exit status. */
    record Result(int status, String output) {
        Result orFail(String what) {
            if (status != 0) {
                throw new IllegalStateException(what + " failed with status " + status + ":\n" + output);
            }
            return this;
        }
    }

    private final String project;
    private final List<String> files;
    private final Map<String, String> environment;
    private final Path logs;

    /**
     * @param project     the compose project name (containers, networks and volumes carry it)
     * @param files       compose files relative to the repository root, the first being docker-compose.yml
     * @param environment the variables compose interpolates (PIPELINE_RUN, CIFAR10_DIR, …)
     * @param logs        where each container's log is saved when the stack goes down
     */
    ComposeStack(String project, List<String> files, Map<String, String> environment, Path logs) {
        this.project = project;
        this.files = List.copyOf(files);
        this.environment = new LinkedHashMap<>(environment);
        this.logs = logs;
    }

    String project() {
        return project;
    }

    /** The compose CLI: COMPOSE_COMMAND (e.g. "docker compose"), else docker-compose. */
    static List<String> composeCommand() {
        String configured = System.getenv("COMPOSE_COMMAND");
        return configured == null || configured.isBlank()
                ? List.of("docker-compose")
                : Arrays.asList(configured.trim().split("\\s+"));
    }

    /** Runs the compose CLI on this stack's files and project. */
    Result compose(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(composeCommand());
        command.addAll(List.of("--project-name", project));
        for (String file : files) {
            command.addAll(List.of("--file", ROOT.resolve(file).toString()));
        }
        command.addAll(Arrays.asList(args));
        return run(command, environment, timeout);
    }

    /** Runs {@code docker} with the given arguments. */
    static Result docker(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(Arrays.asList(args));
        return run(command, Map.of(), timeout);
    }

    private static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Path output = Files.createTempFile("compose", ".out");
        try {
            Process process = builder.redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + timeout + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The ids of a service's containers (running or not), in compose's index order. */
    List<String> containers(String service) throws IOException, InterruptedException {
        String out = compose(Duration.ofSeconds(60), "ps", "-q", service)
                .orFail("ps " + service)
                .output();
        List<String> ids = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.trim().matches("[0-9a-f]{12,64}")) {
                ids.add(line.trim());
            }
        }
        return ids;
    }

    /** {@code docker inspect --format} of one container. */
    static String inspect(String container, String format) throws IOException, InterruptedException {
        return docker(Duration.ofSeconds(30), "inspect", "--format", format, container)
                .orFail("inspect " + container)
                .output()
                .trim();
    }

    /** Waits until every container of each service reports healthy (services without a health check: running). */
    void awaitHealthy(Duration timeout, String... services) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String service : services) {
            Eventually.await(
                    service + " healthy",
                    Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                    () -> {
                        List<String> states = new ArrayList<>();
                        for (String id : containers(service)) {
                            states.add(
                                    inspect(
                                            id,
                                            "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}"));
                        }
                        return states;
                    },
                    states -> !states.isEmpty()
                            && states.stream()
                                    .allMatch(st -> st.equals("running healthy") || st.equals("running none")),
                    () -> logs(service, 60));
        }
    }

    /** Waits for a one-shot service's container to exit; its exit status. */
    int awaitExit(String service, Duration timeout) throws InterruptedException {
        String id = Eventually.await(
                service + " exited",
                timeout,
                () -> {
                    List<String> ids = containers(service);
                    return !ids.isEmpty()
                                    && inspect(ids.get(0), "{{.State.Status}}").equals("exited")
                            ? ids.get(0)
                            : null;
                },
                exited -> exited != null,
                () -> logs(service, 40));
        try {
            return Integer.parseInt(inspect(id, "{{.State.ExitCode}}"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of a service's log (all its containers), or why there are none. */
    String logs(String service, int lines) {
        try {
            return compose(Duration.ofSeconds(60), "logs", "--no-color", "--tail", String.valueOf(lines), service)
                    .output();
        } catch (IOException e) {
            return "(no logs of " + service + ": " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no logs of " + service + ": interrupted)";
        }
    }

    /** Runs a command in a service's first container. */
    Result exec(String service, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("exec", "-T", service));
        args.addAll(Arrays.asList(command));
        return compose(Duration.ofMinutes(2), args.toArray(String[]::new));
    }

    /** Every container, network and volume of this project that Docker still has, by kind. */
    Map<String, List<String>> leftovers() throws IOException, InterruptedException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String label = "label=com.docker.compose.project=" + project;
        out.put(
                "containers",
                lines(docker(Duration.ofSeconds(30), "ps", "-a", "-q", "--filter", label)
                        .orFail("docker ps")
                        .output()));
        out.put(
                "networks",
                lines(docker(Duration.ofSeconds(30), "network", "ls", "-q", "--filter", label)
                        .orFail("docker network ls")
                        .output()));
        out.put(
                "volumes",
                lines(docker(Duration.ofSeconds(30), "volume", "ls", "-q", "--filter", label)
                        .orFail("docker volume ls")
                        .output()));
        return out;
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n"))
                .map(String::trim)
                .filter(l -> !l.isEmpty())
                .toList();
    }

    /** Saves every container's log, then {@code down -v}: containers, networks and volumes removed. */
    Result down() throws IOException, InterruptedException {
        if (logs != null
                && !compose(Duration.ofSeconds(60), "ps", "-q").output().isBlank()) {
            Files.createDirectories(logs);
            Files.writeString(
                    logs.resolve(project + ".log"),
                    compose(Duration.ofMinutes(2), "logs", "--no-color", "--timestamps")
                            .output());
        }
        return compose(Duration.ofMinutes(5), "down", "--volumes", "--remove-orphans", "--timeout", "30");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        down();
    }
}
