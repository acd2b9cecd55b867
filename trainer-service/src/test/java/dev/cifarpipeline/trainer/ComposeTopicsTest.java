package dev.cifarpipeline.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cifarpipeline.events.TopicSpec;
import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.testsupport.ComposeFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml creates the topics the services would create: same names, partitions and settings. */
class ComposeTopicsTest {
    @Test
    void composeCreatesEachTopicAsTopicSpecDefinesIt() throws Exception {
        String script = ComposeFile.read().service("kafka-topics").path("command").get(0).asText();
        List<String> created = new ArrayList<>();
        Matcher m = Pattern.compile("--topic (\\S+) --partitions (\\d+)((?: --config \\S+)*)").matcher(script);
        while (m.find()) {
            created.add(m.group(1) + " " + m.group(2) + m.group(3));
        }
        List<String> expected = new ArrayList<>();
        int runSpecPartitions = Integer.parseInt( // the partitions a trainer gives the run-spec topic by default
                TrainerConfig.Claims.class.getMethod("partitions").getAnnotation(io.smallrye.config.WithDefault.class).value());
        for (TopicSpec t : List.of(TopicSpec.stream(Topics.TRAIN_BATCHES), TopicSpec.stream(Topics.TEST_BATCHES),
                TopicSpec.stream(Topics.EPOCH_MARKERS), TopicSpec.runSpecs(Topics.RUN_SPECS, runSpecPartitions),
                TopicSpec.checkpoints(Topics.CHECKPOINTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.EVALUATION_RESULTS, TopicSpec.DEFAULT_PARTITIONS),
                TopicSpec.events(Topics.TRAINING_EVENTS, TopicSpec.DEFAULT_PARTITIONS), new TopicSpec(Topics.DEAD_LETTER, 1, Map.of()))) {
            StringBuilder line = new StringBuilder(t.name() + " " + t.partitions());
            t.configs().forEach((k, v) -> line.append(" --config ").append(k).append('=').append(v));
            expected.add(line.toString());
        }
        assertEquals(expected, created);
    }
}
