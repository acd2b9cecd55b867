package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.testsupport.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docker-compose.yml} with {@code docker-compose.sasl-ssl.yml}, in real containers: the broker's only client
 * listener is TLS with SCRAM-SHA-512 logins under an authorizer, and the services, each logging in as its own user
 * and configured by nothing but their KAFKA_* variables, train and score the default run over it. Clients inside
 * the compose network are then refused when they speak plaintext or log in with a wrong password, and the viewer
 * is let in to see only its own topics; no service can see the broker's volume.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ComposeSecuredStackTest {
    private static final Path WORK = Path.of("target", "compose-check").toAbsolutePath();
    private static final String BROKER_DIR = "/var/lib/kafka/data/pipeline";
    /** The read-only user's settings, as the broker script leaves them in its folder. */
    private static final String VIEWER = BROKER_DIR + "/clients/cifar-viewer.properties";

    private final ServiceEndpoint evaluator = new ServiceEndpoint("127.0.0.1", 8083);
    private ComposeStack stack;

    @BeforeAll
    void cleanSlate() throws Exception {
        Map<String, String> environment =
                new HashMap<>(ComposeStackTest.smallStack(ComposeStackTest.syntheticDataset()));
        for (String secret : List.of(
                "PIPELINE_KAFKA_ADMIN_PASSWORD",
                "PIPELINE_KAFKA_INGEST_PASSWORD",
                "PIPELINE_KAFKA_TRAINER_PASSWORD",
                "PIPELINE_KAFKA_EVALUATOR_PASSWORD")) {
            environment.put(secret, UUID.randomUUID().toString().replace("-", ""));
        }
        stack = new ComposeStack(
                "cifarchecksecure",
                List.of("docker-compose.yml", "docker-compose.sasl-ssl.yml"),
                environment,
                WORK.resolve("logs"));
        stack.down();
    }

    @AfterAll
    void down() throws Exception {
        stack.down();
    }

    @Test
    @Order(1)
    void theDefaultRunTrainsAndIsScoredOverTlsWithScramLogins() throws Exception {
        stack.compose(Duration.ofMinutes(8), ComposeStackTest.prepend("up", "--detach", ComposeStackTest.SERVICES))
                .orFail("docker-compose up");
        stack.awaitHealthy(
                Duration.ofMinutes(4), "kafka", "data-ingest-service", "trainer-service", "evaluator-service");
        assertEquals(0, stack.awaitExit("default-run", Duration.ofMinutes(3)), stack.logs("default-run", 20));
        String broker = stack.exec("kafka", "cat", BROKER_DIR + "/server.properties")
                .orFail("reading the broker's settings")
                .output();
        assertTrue(
                broker.contains("listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL"),
                "the only client listener is SASL_SSL");
        assertTrue(
                broker.contains("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                "under an authorizer");
        for (String service : List.of("data-ingest-service", "trainer-service", "evaluator-service")) {
            ComposeStack.Result sees = stack.exec(
                    service, "sh", "-c", "ls /etc/kafka-trust; test ! -e /var/lib/kafka && echo no-broker-volume");
            assertEquals(0, sees.status(), service + ": " + sees.output());
            assertEquals("broker.crt\nno-broker-volume", sees.output().strip(), service + " sees only the certificate");
        }

        JsonNode run = Eventually.await(
                "one result per epoch checkpoint of the default run",
                Duration.ofMinutes(5),
                () -> {
                    var response = evaluator.get("/evaluator/runs/" + ComposeStackTest.DEFAULT_RUN);
                    return response.statusCode() == 200 ? new ObjectMapper().readTree(response.body()) : null;
                },
                r -> r != null && r.get("results").size() >= ComposeStackTest.EPOCHS,
                () -> stack.logs("trainer-service", 30) + stack.logs("evaluator-service", 30));
        assertEquals(ComposeStackTest.EPOCHS, run.get("results").size(), "one result per epoch checkpoint: " + run);
        assertTrue(run.get("best").get("accuracy").asDouble() > 0.5, run.toString());
    }

    @Test
    @Order(2)
    void aClientWithoutTheRightCredentialsIsRefusedAndOneWithThemIsLetIn() throws Exception {
        String topics = "/opt/kafka/bin/kafka-topics.sh --bootstrap-server kafka:9092 --list --command-config ";
        String fast = "request.timeout.ms=5000\\ndefault.api.timeout.ms=15000\\n";
        ComposeStack.Result plaintext = stack.exec(
                "kafka",
                "bash",
                "-c",
                "printf '" + fast + "' > /tmp/plain.properties && " + topics + "/tmp/plain.properties");
        assertNotEquals(0, plaintext.status(), "a plaintext client lists nothing:\n" + plaintext.output());

        ComposeStack.Result wrongPassword = stack.exec(
                "kafka",
                "bash",
                "-c",
                "sed 's/password=\"[^\"]*\";/password=\"wrong\";/' "
                        + VIEWER + " > /tmp/wrong.properties && printf '" + fast
                        + "' >> /tmp/wrong.properties && "
                        + "grep -q 'password=\"wrong\"' /tmp/wrong.properties && " + topics + "/tmp/wrong.properties");
        assertNotEquals(0, wrongPassword.status(), "a wrong password lists nothing:\n" + wrongPassword.output());
        assertTrue(wrongPassword.output().contains("Authentication failed"), wrongPassword.output());

        ComposeStack.Result viewer = stack.exec("kafka", "bash", "-c", topics + VIEWER);
        assertEquals(0, viewer.status(), viewer.output());
        assertEquals(
                List.of(Topics.CHECKPOINTS, Topics.EVALUATION_RESULTS, Topics.TRAINING_EVENTS),
                viewer.output()
                        .lines()
                        .filter(l -> l.startsWith("cifar."))
                        .sorted()
                        .toList(),
                "the viewer may see the runs' outcome and no other topic");
    }

    @Test
    @Order(3)
    void downWithVolumesLeavesNothing() throws Exception {
        stack.down().orFail("docker-compose down --volumes");
        stack.leftovers()
                .forEach((kind, ids) -> assertTrue(ids.isEmpty(), "docker-compose down -v left " + kind + ": " + ids));
    }
}
