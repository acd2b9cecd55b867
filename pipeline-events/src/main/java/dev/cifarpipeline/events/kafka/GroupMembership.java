package dev.cifarpipeline.events.kafka;

import java.time.Duration;
import java.util.Map;

/**
 * A consumer's membership of a consumer group: which group, under which client id, how long the broker waits for
 * a silent member before its partitions move, and whether partitions move cooperatively (only those that must).
 */
public record GroupMembership(String groupId, String clientId, Duration sessionTimeout, boolean cooperative) {
    /** The member's consumer settings on top of the service's {@code kafka.*} settings ({@link KafkaClients#groupMember}). */
    public Map<String, Object> config(Map<String, Object> kafka) {
        return KafkaClients.groupMember(kafka, groupId, clientId, sessionTimeout, cooperative);
    }
}
