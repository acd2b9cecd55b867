package dev.cifarpipeline.trainer;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Seeks the batch stream to where the run's latest checkpoint left off, the first time each partition is
 * assigned and before any batch is fetched: the batches trained after the checkpoint died with the process, so
 * they must be read and trained again, and the committed offsets (which may be past them) cannot say so.
 */
@ApplicationScoped
@Identifier(TrainerRebalanceListener.NAME)
public class TrainerRebalanceListener implements KafkaConsumerRebalanceListener {
    public static final String NAME = "train-batches-rebalance";
    private static final Logger LOG = Logger.getLogger(TrainerRebalanceListener.class);

    private final RunRecovery recovery;
    private final Set<TopicPartition> positioned = new HashSet<>();

    public TrainerRebalanceListener(RunRecovery recovery) {
        this.recovery = recovery;
    }

    @Override
    public synchronized void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<String, Long> offsets = recovery.checkpoint().map(c -> c.state().nextOffsets()).orElse(Map.of());
        for (TopicPartition tp : partitions) {
            Long offset = offsets.get(tp.topic() + ":" + tp.partition());
            if (offset != null && positioned.add(tp)) {
                consumer.seek(tp, offset);
                LOG.infof("resuming %s at offset %d, right after the checkpoint's last batch", tp, offset);
            }
        }
    }
}
