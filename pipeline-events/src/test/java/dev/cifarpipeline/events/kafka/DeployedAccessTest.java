package dev.cifarpipeline.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.Topics;
import dev.cifarpipeline.events.kafka.ServiceAccess.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The deployments apply {@link ServiceAccess}'s grants from rendered copies: {@code deploy/kafka/acls} (the broker
 * script's, locally and in compose) and the Kubernetes component's KafkaUsers. Each copy must be the rendering of
 * today's grants, or a service would be refused what it needs (or keep what it no longer does). To regenerate both
 * after changing the grants: {@code ./mvnw -pl pipeline-events test -Dtest=DeployedAccessTest -Daccess.write=true}.
 */
class DeployedAccessTest {
    private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
    static final Path ACL_FILE = ROOT.resolve("deploy/kafka/acls");
    static final Path STRIMZI_USERS = ROOT.resolve("deploy/k8s/components/kafka-sasl-ssl/kafka-users.yaml");

    @Test
    void theBrokerScriptsAclFileIsTheRenderingOfServiceAccess() throws IOException {
        check(ACL_FILE, ServiceAccess.aclCommandLines());
    }

    @Test
    void theKubernetesUsersAreTheRenderingOfServiceAccess() throws IOException {
        check(STRIMZI_USERS, ServiceAccess.strimziUsers());
    }

    @Test
    void eachAclFileLineGrantsExactlyWhatServiceAccessGrants() {
        Set<String> fromFile = new HashSet<>();
        for (String line : ServiceAccess.aclCommandLines().split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            String[] words = line.split(" ");
            PatternType pattern = null;
            List<ResourcePattern> resources = new ArrayList<>();
            List<String> operations = new ArrayList<>();
            List<String> pending = new ArrayList<>();
            for (int i = 1; i < words.length; i += 2) {
                String value = words[i + 1];
                switch (words[i]) {
                    case "--resource-pattern-type" -> pattern = PatternType.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--topic", "--group", "--transactional-id" -> pending.add(words[i] + " " + value);
                    case "--operation" -> operations.add(value);
                    default -> throw new AssertionError("unknown option " + words[i] + " in: " + line);
                }
            }
            for (String p : pending) {
                String[] kv = p.split(" ");
                ResourceType type = switch (kv[0]) {
                    case "--topic" -> ResourceType.TOPIC;
                    case "--group" -> ResourceType.GROUP;
                    default -> ResourceType.TRANSACTIONAL_ID;
                };
                resources.add(new ResourcePattern(type, kv[1], pattern));
            }
            for (ResourcePattern r : resources) {
                for (String op : operations) {
                    fromFile.add(words[0] + " " + r + " " + op.toUpperCase(Locale.ROOT));
                }
            }
        }
        Set<String> granted = new HashSet<>();
        for (Role role : Role.values()) {
            for (AclBinding b : ServiceAccess.bindings(role)) {
                granted.add(role.user() + " " + b.pattern() + " " + b.entry().operation());
            }
        }
        assertEquals(granted, fromFile);
    }

    @Test
    void noServiceMayWriteWhatAnotherServiceOwns() {
        assertTrue(writes(Role.INGEST, Topics.TRAIN_BATCHES));
        assertFalse(writes(Role.INGEST, Topics.RUN_SPECS));
        assertFalse(writes(Role.INGEST, Topics.CHECKPOINTS));
        assertTrue(writes(Role.TRAINER, Topics.CHECKPOINTS));
        assertFalse(writes(Role.TRAINER, Topics.TRAIN_BATCHES), "a trainer must not forge the batch stream");
        assertFalse(writes(Role.TRAINER, Topics.EVALUATION_RESULTS), "a trainer must not forge its own score");
        assertTrue(writes(Role.EVALUATOR, Topics.EVALUATION_RESULTS));
        assertFalse(writes(Role.EVALUATOR, Topics.CHECKPOINTS));
        for (String topic : PipelineTopics.defaults().asConfiguration().entrySet().stream()
                .filter(e -> !e.getKey().endsWith("run-group-prefix"))
                .map(Map.Entry::getValue)
                .toList()) {
            assertFalse(writes(Role.VIEWER, topic), "the viewer writes nothing: " + topic);
        }
        for (Role role : Role.values()) {
            assertTrue(
                    ServiceAccess.bindings(role).stream()
                            .noneMatch(b -> b.pattern().resourceType() == ResourceType.CLUSTER
                                    || b.entry().operation() == AclOperation.ALL
                                    || b.pattern().name().equals("*")),
                    role + " holds no cluster right and no wildcard");
        }
    }

    private static boolean writes(Role role, String topic) {
        return ServiceAccess.bindings(role).stream()
                .anyMatch(b -> b.pattern().resourceType() == ResourceType.TOPIC
                        && b.pattern().name().equals(topic)
                        && b.entry().operation() == AclOperation.WRITE);
    }

    private static void check(Path file, String rendered) throws IOException {
        if (Boolean.getBoolean("access.write")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, rendered);
        }
        assertTrue(Files.isRegularFile(file), file + " is missing; regenerate it (see DeployedAccessTest)");
        assertEquals(
                rendered,
                Files.readString(file),
                file + " is not the rendering of ServiceAccess; regenerate it (see DeployedAccessTest)");
    }
}
