package dev.cifarpipeline.evaluator;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.kafka.ServiceAccess;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The test set's consumer group is named in application.properties, where no Java constant reaches; under the
 * secured broker's authorizer the evaluator may join only groups with {@link ServiceAccess}'s prefix.
 */
class TestSetGroupTest {
    @Test
    void theTestSetGroupCarriesThePrefixTheEvaluatorsKafkaUserMayJoin() throws Exception {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        String group = p.getProperty("mp.messaging.incoming.test-batches-in.group.id");
        assertTrue(group.startsWith(ServiceAccess.EVALUATOR_TEST_SET_GROUP_PREFIX), group);
    }
}
