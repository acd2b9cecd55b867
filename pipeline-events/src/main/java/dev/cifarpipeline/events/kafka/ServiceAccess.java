package dev.cifarpipeline.events.kafka;

import dev.cifarpipeline.events.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka users of the secured deployments and what each may do under the broker's authorizer, and nothing more:
 * ingest cannot touch a run, a trainer cannot write a result, the evaluator cannot write a checkpoint, and a
 * viewer (the CLI following a run, a dashboard) reads the runs' outcome and writes nothing. Derived from the
 * topics, groups and transactional ids the services use with their default names ({@link Topics},
 * {@link PipelineTopics#DEFAULT_RUN_GROUP_PREFIX} and the constants here, which the services use too).
 *
 * <p>The deployments hold rendered copies, kept in step by {@code DeployedAccessTest}: {@link #aclCommandLines}
 * ({@code deploy/kafka/acls}, applied by {@code bin/kafka-broker --security sasl-ssl} locally and in compose) and
 * {@link #strimziUsers} (the Kubernetes component's KafkaUsers). A renamed topic, group or prefix needs them
 * regenerated.
 */
public final class ServiceAccess {
    /** The trainers' one consumer group on the run-spec topic (trainer.claims.group's default). */
    public static final String TRAINER_CLAIMS_GROUP = "cifar-trainers";
    /** The evaluators' one consumer group on the checkpoints topic (evaluator.group's default). */
    public static final String EVALUATOR_GROUP = "evaluator";
    /** Each evaluator reads the test set as a group of its own: this prefix and a random id. */
    public static final String EVALUATOR_TEST_SET_GROUP_PREFIX = "evaluator-test-set-";
    /** An evaluator's results go out in transactions of the id {@code <prefix><evaluator id>}. */
    public static final String EVALUATOR_TRANSACTION_PREFIX = "evaluator-results-";
    /** A submission writes its run's spec in a transaction of the id {@code <prefix><run-spec topic>-<run id>}. */
    public static final String SUBMIT_TRANSACTION_PREFIX = "submit-";

    /** A principal of the pipeline: its SCRAM user name, and the service that logs in as it (none for a viewer). */
    public enum Role {
        INGEST("cifar-ingest", "data-ingest-service"),
        TRAINER("cifar-trainer", "trainer-service"),
        EVALUATOR("cifar-evaluator", "evaluator-service"),
        VIEWER("cifar-viewer", null);

        private final String user;
        private final String service;

        Role(String user, String service) {
            this.user = user;
            this.service = service;
        }

        /** The SCRAM user name (the principal {@code User:<name>}). */
        public String user() {
            return user;
        }

        /** The service module that logs in as this user, or null. */
        public String service() {
            return service;
        }

        /** The role of the service module {@code module}. */
        public static Role ofService(String module) {
            for (Role r : values()) {
                if (module.equals(r.service)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("no Kafka user for module " + module);
        }
    }

    /** Operations on every resource named by {@code pattern} and {@code names}. */
    public record Grant(ResourceType type, PatternType pattern, List<String> names, List<AclOperation> operations) {
        public Grant {
            names = List.copyOf(names);
            operations = List.copyOf(operations);
        }
    }

    private static final List<AclOperation> OWN = ops(
            AclOperation.CREATE,
            AclOperation.DESCRIBE,
            AclOperation.READ,
            AclOperation.WRITE); // a topic the service writes and reads back
    private static final List<AclOperation> READ = ops(AclOperation.DESCRIBE, AclOperation.READ);
    private static final List<AclOperation> APPEND = ops(
            AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.WRITE); // the dead letters: written, never read
    private static final List<AclOperation> SCORE = ops(
            AclOperation.CREATE,
            AclOperation.DESCRIBE,
            AclOperation.READ); // the evaluator creates the checkpoints topic if it starts first, and reads it
    private static final List<AclOperation> TRANSACT = ops(AclOperation.DESCRIBE, AclOperation.WRITE);

    private ServiceAccess() {}

    /** What {@code role} may do, in the order the deployments list it. */
    public static List<Grant> grants(Role role) {
        String runGroups = PipelineTopics.DEFAULT_RUN_GROUP_PREFIX;
        return switch (role) {
            case INGEST ->
                List.of(
                        topics(OWN, Topics.TRAIN_BATCHES, Topics.TEST_BATCHES, Topics.EPOCH_MARKERS),
                        // how far the slowest run is: ingest describes the runs' groups and their offsets
                        new Grant(
                                ResourceType.GROUP,
                                PatternType.PREFIXED,
                                List.of(runGroups),
                                ops(AclOperation.DESCRIBE)));
            case TRAINER ->
                List.of(
                        topics(OWN, Topics.RUN_SPECS, Topics.CHECKPOINTS, Topics.TRAINING_EVENTS),
                        // the results: a sweep's early stopping decides on them (SweepSupervisor)
                        topics(READ, Topics.TRAIN_BATCHES, Topics.EPOCH_MARKERS, Topics.EVALUATION_RESULTS),
                        topics(APPEND, Topics.DEAD_LETTER),
                        new Grant(ResourceType.GROUP, PatternType.LITERAL, List.of(TRAINER_CLAIMS_GROUP), READ),
                        new Grant(ResourceType.GROUP, PatternType.PREFIXED, List.of(runGroups), READ),
                        // a run's own transactional id is its group's name (RunPublisher)
                        new Grant(
                                ResourceType.TRANSACTIONAL_ID,
                                PatternType.PREFIXED,
                                List.of(runGroups, SUBMIT_TRANSACTION_PREFIX + Topics.RUN_SPECS + "-"),
                                TRANSACT));
            case EVALUATOR ->
                List.of(
                        topics(OWN, Topics.EVALUATION_RESULTS),
                        topics(SCORE, Topics.CHECKPOINTS),
                        topics(READ, Topics.TEST_BATCHES),
                        topics(APPEND, Topics.DEAD_LETTER),
                        new Grant(ResourceType.GROUP, PatternType.LITERAL, List.of(EVALUATOR_GROUP), READ),
                        new Grant(
                                ResourceType.GROUP,
                                PatternType.PREFIXED,
                                List.of(EVALUATOR_TEST_SET_GROUP_PREFIX),
                                READ),
                        new Grant(
                                ResourceType.TRANSACTIONAL_ID,
                                PatternType.PREFIXED,
                                List.of(EVALUATOR_TRANSACTION_PREFIX),
                                TRANSACT));
            case VIEWER -> List.of(topics(READ, Topics.TRAINING_EVENTS, Topics.EVALUATION_RESULTS, Topics.CHECKPOINTS));
        };
    }

    /** {@link #grants} as the broker's ACL bindings: one allow entry per resource and operation, from any host. */
    public static List<AclBinding> bindings(Role role) {
        List<AclBinding> out = new ArrayList<>();
        for (Grant g : grants(role)) {
            for (String name : g.names()) {
                for (AclOperation op : g.operations()) {
                    out.add(new AclBinding(
                            new ResourcePattern(g.type(), name, g.pattern()),
                            new AccessControlEntry("User:" + role.user(), "*", op, AclPermissionType.ALLOW)));
                }
            }
        }
        return out;
    }

    /**
     * {@code deploy/kafka/acls}: per user, one line of {@code kafka-acls} options per pattern type and set of
     * operations (resources of any type that share them), so the broker starts one tool per line, not per ACL.
     */
    public static String aclCommandLines() {
        StringBuilder out = new StringBuilder();
        out.append(
                        "# Generated from dev.cifarpipeline.events.kafka.ServiceAccess; DeployedAccessTest keeps it in step.\n")
                .append(
                        "# What each service's Kafka user may do. bin/kafka-broker --security sasl-ssl runs, for each line,\n")
                .append("#   kafka-acls --add --allow-principal User:<first word> <the rest>\n")
                .append("# as the broker's admin once the broker is up (again whenever this file changes).\n");
        for (Role role : Role.values()) {
            Map<String, List<Grant>> lines = new LinkedHashMap<>();
            for (Grant g : grants(role)) {
                lines.computeIfAbsent(g.pattern() + " " + g.operations(), k -> new ArrayList<>())
                        .add(g);
            }
            for (List<Grant> line : lines.values()) {
                StringBuilder l = new StringBuilder(role.user())
                        .append(" --resource-pattern-type ")
                        .append(lower(line.get(0).pattern().name()));
                for (Grant g : line) {
                    for (String name : g.names()) {
                        l.append(' ').append(option(g.type())).append(' ').append(name);
                    }
                }
                for (AclOperation op : line.get(0).operations()) {
                    l.append(" --operation ").append(camel(op.name()));
                }
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * The Kubernetes component's KafkaUsers (Strimzi): a SCRAM-SHA-512 login for each role, whose password the User
     * Operator keeps in a Secret of the user's name, and its ACLs for the cluster's simple authorizer.
     */
    public static String strimziUsers() {
        StringBuilder out = new StringBuilder();
        out.append(
                        "# Generated from dev.cifarpipeline.events.kafka.ServiceAccess; DeployedAccessTest keeps it in step.\n")
                .append(
                        "# One Kafka login per service (and a read-only viewer), each allowed only what its service does.\n")
                .append("# Strimzi's User Operator draws each password and keeps it in a Secret of the user's name\n")
                .append("# (keys password and sasl.jaas.config).\n");
        for (Role role : Role.values()) {
            out.append("---\n")
                    .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaUser\n")
                    .append("metadata:\n")
                    .append("  name: ")
                    .append(role.user())
                    .append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: cifar-kafka\n")
                    .append("spec:\n")
                    .append("  authentication:\n")
                    .append("    type: scram-sha-512\n")
                    .append("  authorization:\n")
                    .append("    type: simple\n")
                    .append("    acls:\n");
            for (Grant g : grants(role)) {
                for (String name : g.names()) {
                    out.append("      - resource:\n")
                            .append("          type: ")
                            .append(strimziType(g.type()))
                            .append('\n')
                            .append("          name: ")
                            .append(name)
                            .append('\n')
                            .append("          patternType: ")
                            .append(g.pattern() == PatternType.PREFIXED ? "prefix" : "literal") // Strimzi's words
                            .append('\n')
                            .append("        operations: [")
                            .append(g.operations().stream()
                                    .map(op -> camel(op.name()))
                                    .collect(Collectors.joining(", ")))
                            .append("]\n");
                }
            }
        }
        return out.toString();
    }

    private static Grant topics(List<AclOperation> operations, String... names) {
        return new Grant(ResourceType.TOPIC, PatternType.LITERAL, List.of(names), operations);
    }

    private static List<AclOperation> ops(AclOperation... operations) {
        return List.of(operations);
    }

    private static String option(ResourceType type) {
        return switch (type) {
            case TOPIC -> "--topic";
            case GROUP -> "--group";
            case TRANSACTIONAL_ID -> "--transactional-id";
            default -> throw new IllegalArgumentException("no grant on " + type);
        };
    }

    private static String strimziType(ResourceType type) {
        return switch (type) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
            default -> throw new IllegalArgumentException("no grant on " + type);
        };
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** DESCRIBE_CONFIGS → DescribeConfigs, as kafka-acls and Strimzi spell operations. */
    private static String camel(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("_")) {
            out.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }
}
