package dev.cifarpipeline.ingest.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the training runs are in the stream: the committed offset, on the training topic, of the slowest active
 * consumer group whose id starts with the runs' prefix. Groups with no members (finished or stopped runs) hold
 * nothing back while any group is active; with none active, the slowest of all known groups counts.
 */
public final class ConsumerProgressProbe {
    private final Admin admin;
    private final TopicPartition partition;
    private final String groupPrefix;

    public ConsumerProgressProbe(Admin admin, String topic, String groupPrefix) {
        this.admin = admin;
        this.partition = new TopicPartition(topic, 0);
        this.groupPrefix = groupPrefix;
    }

    public OptionalLong slowestCommittedOffset() throws InterruptedException {
        try {
            List<String> groups = new ArrayList<>();
            for (GroupListing g : admin.listGroups(ListGroupsOptions.forConsumerGroups())
                    .all()
                    .get()) {
                if (g.groupId().startsWith(groupPrefix)) {
                    groups.add(g.groupId());
                }
            }
            if (groups.isEmpty()) {
                return OptionalLong.empty();
            }
            Map<String, ConsumerGroupDescription> descriptions =
                    admin.describeConsumerGroups(groups).all().get();
            long slowestActive = Long.MAX_VALUE;
            long slowestAny = Long.MAX_VALUE;
            for (String group : groups) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(partition);
                long offset = committed == null ? 0 : committed.offset();
                slowestAny = Math.min(slowestAny, offset);
                if (!descriptions.get(group).members().isEmpty()) {
                    slowestActive = Math.min(slowestActive, offset);
                }
            }
            return OptionalLong.of(slowestActive != Long.MAX_VALUE ? slowestActive : slowestAny);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read consumer group offsets: " + e.getCause(), e.getCause());
        }
    }
}
