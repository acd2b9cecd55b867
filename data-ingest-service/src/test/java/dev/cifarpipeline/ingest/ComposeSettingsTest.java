package dev.cifarpipeline.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.testsupport.ComposeFile;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every setting docker-compose.yml gives data-ingest-service is one of its own configuration keys. */
class ComposeSettingsTest {
    @Test
    void composeSetsOnlyKeysThisServiceHas() throws Exception {
        Set<String> known = ComposeFile.environmentNames(IngestConfig.class, "ingest");
        Set<String> unknown = new TreeSet<>();
        for (String name : ComposeFile.read().environment("data-ingest-service").keySet()) {
            if (!known.contains(name)
                    && !name.startsWith("KAFKA_")) { // kafka.* keys reach the Kafka clients as they are
                unknown.add(name);
            }
        }
        assertTrue(
                unknown.isEmpty(),
                "docker-compose.yml sets " + unknown + " for data-ingest-service, which has no such keys; known: "
                        + known);
    }
}
