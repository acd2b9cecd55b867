package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cifarpipeline.dataset.SyntheticCifar;
import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.kafka.ServiceAccess;
import dev.cifarpipeline.events.kafka.ServiceAccess.Role;
import dev.cifarpipeline.testsupport.TopicReads;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline over Kafka secured as a production broker is: {@code bin/kafka-broker --security sasl-ssl}
 * (a real broker process whose only client listener is TLS with SCRAM-SHA-512 authentication, under an authorizer
 * that lets each service's user do only what {@link ServiceAccess} grants it). The broker refuses a plaintext client,
 * a client that does not trust its certificate and a wrong password; the three packaged services, each logging in
 * as its own user and configured only through the KAFKA_* environment variables compose and Kubernetes set, run a
 * training run to its end and its checkpoint is scored; then each user is refused what belongs to another.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SecuredKafkaTest {
    private static final Path LOGS = Path.of("target", "secured-kafka").toAbsolutePath();
    private static final String RUN = "secured";

    @TempDir
    Path dir;

    @Test
    void thePipelineRunsOverTlsWithScramAndTheBrokerRefusesEveryoneElse() throws Exception {
        Path brokerDir = dir.resolve("kafka");
        int port = ServiceProcess.freeBrokerPort();
        try (BrokerProcess broker = BrokerProcess.start(brokerDir, port, "--security", "sasl-ssl")) {
            Map<String, Object> secured = properties(broker.dir().resolve("clients/cifar-viewer.properties"));
            assertEquals("SASL_SSL", secured.get("security.protocol"));
            String bootstrap = "localhost:" + port;

            refused(Map.of("bootstrap.servers", bootstrap)); // plaintext: no answer it understands, so no metadata ever
            Map<String, Object> untrusting = new HashMap<>(secured);
            untrusting.remove("ssl.truststore.location");
            untrusting.remove("ssl.truststore.password");
            assertInstanceOf(
                    SslAuthenticationException.class,
                    refused(untrusting),
                    "a self-signed certificate nobody vouched for");
            Map<String, Object> wrongPassword = new HashMap<>(secured);
            wrongPassword.put(
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"cifar-viewer\" "
                            + "password=\"not-the-password\";");
            assertInstanceOf(
                    SaslAuthenticationException.class, refused(wrongPassword), "SCRAM refuses a wrong password");

            Path dataset = dir.resolve("dataset");
            SyntheticCifar.write(dataset, 256, 100, 7);
            try (ServiceProcess ingest = ServiceProcess.start(
                            "data-ingest-service",
                            "512m",
                            Map.of(
                                    "ingest.dataset-dir",
                                    dataset.toString(),
                                    "ingest.epochs",
                                    "1",
                                    "ingest.batch-size",
                                    "32"),
                            environment(broker, Role.INGEST),
                            LOGS.resolve("ingest"));
                    ServiceProcess trainer = ServiceProcess.start(
                            "trainer-service",
                            "1g",
                            Map.of("trainer.log-every", "4"),
                            environment(broker, Role.TRAINER),
                            LOGS.resolve("trainer"));
                    ServiceProcess evaluator = ServiceProcess.start(
                            "evaluator-service",
                            "1g",
                            Map.of(),
                            environment(broker, Role.EVALUATOR),
                            LOGS.resolve("evaluator"))) {
                for (ServiceProcess s : List.of(ingest, trainer, evaluator)) {
                    s.awaitReady(Duration.ofSeconds(120));
                    assertFalse(
                            s.output().contains("localhost:9092"),
                            s.module() + " must not fall back to the default broker");
                }
                trainer.submitRun("{\"runId\":\"" + RUN + "\",\"epochs\":1,\"maxLearningRate\":0.02}");

                List<ConsumerRecord<String, byte[]>> results = read(
                        secured,
                        Topics.EVALUATION_RESULTS,
                        Duration.ofMinutes(3),
                        r -> EvaluationResult.fromJson(r.value()).runId().equals(RUN));
                assertEquals(1, results.size(), "one result for the run's one checkpoint");
                EvaluationResult result =
                        EvaluationResult.fromJson(results.get(0).value());
                assertEquals(100, result.testImages());
                assertTrue(result.accuracy() >= 0 && result.accuracy() <= 1, result.toString());
                List<ConsumerRecord<String, byte[]>> finished = read(
                        secured,
                        Topics.TRAINING_EVENTS,
                        Duration.ofSeconds(30),
                        r -> TrainingEvent.fromJson(r.value()).runId().equals(RUN)
                                && TrainingEvent.fromJson(r.value()).type() == TrainingEvent.Type.FINISHED);
                assertEquals(1, finished.size());
                assertTrue(
                        trainer.output().contains("run " + RUN + " finished: 1 epoch(s), 8 steps"), trainer.tail(30));
                for (ServiceProcess s : List.of(ingest, trainer, evaluator)) {
                    assertEquals(
                            0.0,
                            s.metric("pipeline_dead_letter_records_total").orElse(0),
                            s.module() + " dead-lettered nothing");
                }
            }
            refusedWhatIsNotTheirs(broker);
        }
    }

    /**
     * Each user is refused what another service does: writing its topics, reading what it has no business reading,
     * using its transactional ids. The services ran with these very users, so what they need was granted.
     */
    private static void refusedWhatIsNotTheirs(BrokerProcess broker) throws Exception {
        assertInstanceOf(
                TopicAuthorizationException.class,
                writeFails(broker, Role.EVALUATOR, Topics.CHECKPOINTS, null),
                "the evaluator must not forge a checkpoint");
        assertInstanceOf(
                TopicAuthorizationException.class,
                writeFails(broker, Role.TRAINER, Topics.EVALUATION_RESULTS, null),
                "a trainer must not score itself");
        assertInstanceOf(
                TopicAuthorizationException.class,
                writeFails(broker, Role.INGEST, Topics.RUN_SPECS, null),
                "ingest must not submit runs");
        assertInstanceOf( // refused before any topic: its (idempotent) producer may write nowhere at all
                AuthorizationException.class,
                writeFails(broker, Role.VIEWER, Topics.TRAINING_EVENTS, null),
                "the viewer writes nothing");
        assertInstanceOf(
                TransactionalIdAuthorizationException.class,
                writeFails(
                        broker,
                        Role.TRAINER,
                        Topics.CHECKPOINTS,
                        ServiceAccess.EVALUATOR_TRANSACTION_PREFIX + "impostor"),
                "a trainer must not take an evaluator's transactional id");
        Map<String, Object> ingest = properties(broker.dir().resolve("clients/cifar-ingest.properties"));
        ingest.put("group.id", ServiceAccess.TRAINER_CLAIMS_GROUP);
        ingest.put("default.api.timeout.ms", 15000);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(ingest, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.RUN_SPECS));
            KafkaException e = assertThrows(
                    KafkaException.class,
                    () -> {
                        for (int i = 0; i < 20; i++) {
                            consumer.poll(Duration.ofSeconds(1));
                        }
                    },
                    "ingest must not join the trainers' group nor read the run specs");
            assertTrue(
                    e instanceof GroupAuthorizationException || e instanceof TopicAuthorizationException, e.toString());
        }
    }

    /** What stops {@code role} from writing one record to {@code topic} (in a transaction of {@code transactionalId}). */
    private static Throwable writeFails(BrokerProcess broker, Role role, String topic, String transactionalId)
            throws Exception {
        Map<String, Object> config = properties(broker.dir().resolve("clients/" + role.user() + ".properties"));
        config.put("max.block.ms", 15000);
        config.put("delivery.timeout.ms", 15000);
        config.put("request.timeout.ms", 5000);
        if (transactionalId != null) {
            config.put("transactional.id", transactionalId);
        }
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            if (transactionalId != null) {
                return assertThrows(KafkaException.class, producer::initTransactions);
            }
            try {
                producer.send(new ProducerRecord<>(topic, "forged", new byte[] {1}))
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException refusedOnSend) {
                return refusedOnSend.getCause();
            } catch (KafkaException refusedBefore) {
                // an idempotent producer whose producer id was refused fails the send itself, not only its future,
                // when the refusal came first; the cause is the broker's
                return refusedBefore.getCause() == null ? refusedBefore : refusedBefore.getCause();
            }
            return fail(role + " wrote to " + topic);
        }
    }

    private static Map<String, String> environment(BrokerProcess broker, Role role) throws IOException {
        return environment(broker.dir().resolve("clients/" + role.user() + ".env"));
    }

    /** A client with {@code config} cannot even list topics; the cause, when the broker gave one. */
    private static Throwable refused(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.put("default.api.timeout.ms", 8000);
        c.put("request.timeout.ms", 4000);
        try (Admin admin = Admin.create(c)) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> admin.listTopics().names().get(20, TimeUnit.SECONDS),
                    "the broker must refuse " + config.getOrDefault("security.protocol", "PLAINTEXT"));
            return e.getCause();
        }
    }

    /** The records of {@code topic} that are {@code wanted}, read until at least one is there and the topic is drained. */
    private static List<ConsumerRecord<String, byte[]>> read(
            Map<String, Object> config,
            String topic,
            Duration timeout,
            Predicate<ConsumerRecord<String, byte[]>> wanted) {
        return TopicReads.readUntilThenDrain(
                        config, topic, timeout, read -> read.stream().anyMatch(wanted))
                .stream()
                .filter(wanted)
                .toList();
    }

    private static Map<String, Object> properties(Path file) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file)));
        Map<String, Object> out = new HashMap<>();
        p.forEach((k, v) -> out.put((String) k, v));
        return out;
    }

    /** client.env: NAME=value lines (values hold spaces and quotes; nothing is shell-expanded). */
    private static Map<String, String> environment(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertTrue(
                out.containsKey("KAFKA_BOOTSTRAP_SERVERS") && out.containsKey("KAFKA_SASL_JAAS_CONFIG"),
                out.keySet().toString());
        return out;
    }
}
