package dev.cifarpipeline.trainer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cifarpipeline.events.RunSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default run's submitter against a real HTTP server standing where the trainers would. */
class DefaultRunCommandTest {
    private final List<String> bodies = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();
    private HttpServer server;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    /** Answers POST /trainer/runs with the given statuses in turn (the last one repeats). */
    private String trainer(int... statuses) throws IOException {
        AtomicInteger calls = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/trainer/runs", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            int status = statuses[Math.min(calls.getAndIncrement(), statuses.length - 1)];
            byte[] answer = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private int run(Map<String, String> env) throws InterruptedException {
        return DefaultRunCommand.run(env, new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void theSpecIsPostedAsJsonWithTheToken() throws Exception {
        String url = trainer(201);
        assertEquals(
                0,
                run(Map.of(
                        "PIPELINE_RUN",
                        "runId=first epochs=2 maxLearningRate=0.02",
                        "TRAINER_URL",
                        url,
                        "PIPELINE_API_TOKEN",
                        "s3cret")));
        RunSpec posted = RunSpec.fromJson(bodies.get(0).getBytes(StandardCharsets.UTF_8));
        assertEquals("first", posted.runId());
        assertEquals(2, posted.epochs());
        assertEquals(0.02, posted.maxLearningRate());
        assertEquals(List.of("Bearer s3cret"), authorizations);
        assertTrue(output().contains("submitted run first"), output());
    }

    @Test
    void aRunThatIsThereAlreadyIsLeftToTheTrainers() throws Exception {
        String url = trainer(409);
        assertEquals(0, run(Map.of("PIPELINE_RUN", "runId=first", "TRAINER_URL", url)));
        assertEquals(List.of("null"), authorizations, "no token configured, none sent");
        assertTrue(output().contains("run first is there already, left as it is"), output());
    }

    @Test
    void theTokenIsReadFromTheFileComposeGenerates() throws Exception {
        Path file = Files.createTempFile("api-token", "");
        try {
            Files.writeString(file, "from-the-file\n");
            String url = trainer(201);
            assertEquals(
                    0,
                    run(Map.of(
                            "PIPELINE_RUN",
                            "runId=first",
                            "TRAINER_URL",
                            url,
                            "PIPELINE_API_TOKEN_FILE",
                            file.toString())));
            assertEquals(List.of("Bearer from-the-file"), authorizations);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void unavailableTrainersAreWaitedFor() throws Exception {
        String url = trainer(503, 503, 201);
        assertEquals(0, run(Map.of("PIPELINE_RUN", "runId=first", "TRAINER_URL", url)));
        assertEquals(3, bodies.size());
    }

    @Test
    void aRefusalFailsWithTheTrainersAnswer() throws Exception {
        String url = trainer(401);
        assertEquals(1, run(Map.of("PIPELINE_RUN", "runId=first", "TRAINER_URL", url)));
        assertTrue(output().contains("refused run first: 401 {\"status\":401}"), output());
    }

    @Test
    void noTrainerAnsweringGivesUpAtTheDeadline() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        assertEquals(
                1,
                run(Map.of(
                        "PIPELINE_RUN",
                        "runId=first",
                        "TRAINER_URL",
                        "http://127.0.0.1:" + port,
                        "TRAINER_WAIT_SECONDS",
                        "0")));
        assertTrue(output().contains("gave up: http://127.0.0.1:" + port + "/trainer/runs does not answer"), output());
    }

    @Test
    void offOrABadSpecSubmitsNothing() throws Exception {
        String url = trainer(201);
        assertEquals(0, run(Map.of("PIPELINE_RUN", "off", "TRAINER_URL", url)));
        assertEquals(2, run(Map.of("PIPELINE_RUN", "runId=first epochs=many", "TRAINER_URL", url)));
        assertTrue(output().contains("'epochs=many': epochs must be an integer"), output());
        assertTrue(bodies.isEmpty());
    }
}
