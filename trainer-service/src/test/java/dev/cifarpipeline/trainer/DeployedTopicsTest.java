package dev.cifarpipeline.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * limits the services do not expect (a dead letter too large for its topic would be lost).
 */
class DeployedTopicsTest {
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
        assertEquals(expected(), created);
    }

    @Test
    void kubernetesCreatesEachTopicAsTopicSpecDefinesIt() throws Exception {
        Path file = Path.of(System.getProperty("project.root", "..")).resolve("deploy/k8s/base/topics.yaml");
        List<String> created = new ArrayList<>();
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
            }
        }
        assertEquals(expected(), created);
    }

    /** Each topic as "name partitions key=value…", settings in key order. */
    private static List<String> expected() throws Exception {
        int runSpecPartitions = Integer.parseInt( // the partitions a trainer gives the run-spec topic by default
                TrainerConfig.Claims.class
                        .getMethod("partitions")
                        .getAnnotation(WithDefault.class)
                        .value());
        List<String> expected = new ArrayList<>();
        for (TopicSpec t : List.of(
                TopicSpec.stream(Topics.TRAIN_BATCHES),
                TopicSpec.stream(Topics.TEST_BATCHES),
                TopicSpec.stream(Topics.EPOCH_MARKERS),
                TopicSpec.runSpecs(Topics.RUN_SPECS, runSpecPartitions),
                TopicSpec.checkpoints(Topics.CHECKPOINTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.EVALUATION_RESULTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.TRAINING_EVENTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.deadLetter(Topics.DEAD_LETTER))) {
            expected.add(line(t.name(), t.partitions(), t.configs()));
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
