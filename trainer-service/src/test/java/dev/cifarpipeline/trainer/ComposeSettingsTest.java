package dev.cifarpipeline.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.access.ApiAccess;
import dev.cifarpipeline.testsupport.ComposeFile;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every setting docker-compose.yml gives trainer-service is one of its own configuration keys. */
class ComposeSettingsTest {
    @Test
    void composeSetsOnlyKeysThisServiceHas() throws Exception {
        Set<String> known = new TreeSet<>(ComposeFile.environmentNames(TrainerConfig.class, "trainer"));
        known.addAll(ComposeFile.environmentNames(ApiAccess.KEYS));
        Set<String> unknown = new TreeSet<>();
        for (String name : ComposeFile.read().environment("trainer-service").keySet()) {
            if (!known.contains(name)
                    && !name.startsWith("KAFKA_")) { // kafka.* keys reach the Kafka clients as they are
                unknown.add(name);
            }
        }
        assertTrue(
                unknown.isEmpty(),
                "docker-compose.yml sets " + unknown + " for trainer-service, which has no such keys; known: " + known);
    }
}
