package dev.cifarpipeline.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.kafka.TopicSpec;
import dev.cifarpipeline.testsupport.ComposeFile;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and the Kubernetes base create the topics before the services start; both must create
 * them as {@link TopicSpec} defines them (same names, partitions and settings), or a topic would live with
 * limits the services do not expect (a dead letter too large for its topic would be lost, a checkpoint kept for
 * the broker's default week only). Kubernetes runs three brokers and adds only what replication needs: three
 * replicas per topic and {@link #KUBERNETES_MIN_INSYNC_REPLICAS}; compose's single broker adds nothing.
 */
class DeployedTopicsTest {
    /** The Kubernetes cluster's replicas per topic: one per broker of its node pool. */
    private static final int KUBERNETES_REPLICAS = 3;
    /** The one setting Kubernetes adds to TopicSpec's: a write is acknowledged once two of the three replicas hold it. */
    private static final Map<String, String> KUBERNETES_MIN_INSYNC_REPLICAS = Map.of("min.insync.replicas", "2");

    @Test
    void composeCreatesEachTopicAsTopicSpecDefinesIt() throws Exception {
        String script = ComposeFile.read()
                .service("kafka-topics")
                .path("command")
                .get(0)
                .asText();
        List<String> created = new ArrayList<>();
        Matcher m = Pattern.compile("--topic (\\S+) --partitions (\\d+)((?: --config \\S+)*)")
                .matcher(script);
        while (m.find()) {
            created.add(m.group(1) + " " + m.group(2) + m.group(3).replace(" --config ", " "));
        }
        assertEquals(expected(Map.of()), created);
    }

    @Test
    void kubernetesCreatesEachTopicAsTopicSpecDefinesItWithThreeReplicas() throws Exception {
        Path file = Path.of(System.getProperty("project.root", "..")).resolve("deploy/k8s/base/topics.yaml");
        List<String> created = new ArrayList<>();
        Map<String, Integer> replicas = new TreeMap<>();
        try (MappingIterator<JsonNode> docs =
                new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(file.toFile())) {
            while (docs.hasNext()) {
                JsonNode spec = docs.next().path("spec");
                Map<String, String> configs = new TreeMap<>();
                spec.path("config")
                        .fields()
                        .forEachRemaining(
                                e -> configs.put(e.getKey(), e.getValue().asText()));
                created.add(line(
                        spec.path("topicName").asText(), spec.path("partitions").asInt(), configs));
                replicas.put(
                        spec.path("topicName").asText(), spec.path("replicas").asInt());
            }
        }
        assertEquals(expected(KUBERNETES_MIN_INSYNC_REPLICAS), created);
        Map<String, Integer> three = new TreeMap<>();
        replicas.keySet().forEach(name -> three.put(name, KUBERNETES_REPLICAS));
        assertEquals(three, replicas, "every topic has one replica per broker");
    }

    /**
     * Each topic as "name partitions key=value…", settings in key order: TopicSpec's, plus {@code deployment}'s
     * (which must not change any of TopicSpec's).
     */
    private static List<String> expected(Map<String, String> deployment) throws Exception {
        int runSpecPartitions = Integer.parseInt( // the partitions a trainer gives the run-spec topic by default
                TrainerConfig.Claims.class
                        .getMethod("partitions")
                        .getAnnotation(WithDefault.class)
                        .value());
        List<String> expected = new ArrayList<>();
        for (TopicSpec t : List.of(
                TopicSpec.stream(Topics.TRAIN_BATCHES),
                TopicSpec.testBatches(Topics.TEST_BATCHES),
                TopicSpec.epochMarkers(Topics.EPOCH_MARKERS),
                TopicSpec.runSpecs(Topics.RUN_SPECS, runSpecPartitions),
                TopicSpec.checkpoints(Topics.CHECKPOINTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.EVALUATION_RESULTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.TRAINING_EVENTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.deadLetter(Topics.DEAD_LETTER))) {
            assertTrue(t.configs().containsKey(TopicSpec.RETENTION_MS), t.name() + " states its retention");
            Map<String, String> configs = new TreeMap<>(t.configs());
            deployment.forEach((k, v) -> assertEquals(
                    null, configs.put(k, v), t.name() + ": the deployment may add " + k + ", not override it"));
            expected.add(line(t.name(), t.partitions(), configs));
        }
        return expected;
    }

    private static String line(String name, int partitions, Map<String, String> configs) {
        StringBuilder line = new StringBuilder(name + " " + partitions);
        new TreeMap<>(configs)
                .forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        return line.toString();
    }
}
