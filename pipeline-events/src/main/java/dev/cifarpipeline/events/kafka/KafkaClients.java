package dev.cifarpipeline.events.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/** Small things every service does with its Kafka clients, written once. */
public final class KafkaClients {
    /**
     * How every consumer of ours reads: committed records only. Results are published in transactions (see the
     * evaluator's outputs), and a result whose transaction was aborted was never published.
     */
    public static final String ISOLATION = "read_committed";

    private KafkaClients() {}

    /** Waits for a send's acknowledgement; a failure names {@code what} could not be published, and why. */
    public static RecordMetadata await(Future<RecordMetadata> ack, String what) {
        try {
            return ack.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot publish the " + what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Settings of a consumer outside any group that assigns itself partitions and reads them (how a service learns
     * the state that lives only in Kafka): read-committed, no commits, no topic created by reading it.
     */
    public static Map<String, Object> reader(Map<String, Object> kafka, String clientId) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, ISOLATION);
        return config;
    }

    /**
     * Settings of a consumer-group member that commits by hand, starts a new group at the earliest offset and
     * waits for a missing topic rather than having the broker create it with default settings.
     * The heartbeat is a quarter of the session timeout, so a silent member is declared gone after the timeout
     * and not later. {@code cooperative}: the cooperative-sticky assignor, which moves only the partitions that
     * must move and hands them over only after their old owner gave them up.
     */
    public static Map<String, Object> groupMember(
            Map<String, Object> kafka, String groupId, String clientId, Duration sessionTimeout, boolean cooperative) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false); // topics come from TopicSpec, never from a subscription
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, ISOLATION);
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 4));
        if (cooperative) {
            config.put(
                    ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    List.of(CooperativeStickyAssignor.class.getName()));
        }
        return config;
    }

    /**
     * The partitions of {@code topic} as {@code consumer} sees them, asking again while the answer is empty: a topic
     * created a moment ago may not be in the broker's metadata yet, and a consumer assigned no partitions cannot poll.
     * Fails, naming the topic, if it has none within {@code timeout}.
     */
    public static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<PartitionInfo> found = consumer.partitionsFor(topic, timeout);
            if (found != null && !found.isEmpty()) {
                return found.stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .sorted(BY_PARTITION)
                        .toList();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "topic " + topic + " does not exist (no partitions after " + timeout + ")");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
            }
        }
    }

    /**
     * Whether {@code failure} (or what caused it) is one that passes when the broker is reachable again: a timeout or
     * another retriable error. Such failures never end a run or a service's loop; they are waited out.
     */
    public static boolean transientFailure(Throwable failure) {
        return causedBy(failure, RetriableException.class, org.apache.kafka.common.errors.TimeoutException.class);
    }

    /** The first pause of the backoff every service waits out a transient failure with. */
    public static final Duration FIRST_RETRY_PAUSE = Duration.ofSeconds(1);

    /** The longest pause of that backoff: a broker that comes back is noticed within it. */
    public static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(30);

    /** The next pause of that backoff: twice {@code pause}, at most {@link #MAX_RETRY_PAUSE}. */
    public static Duration longerPause(Duration pause) {
        Duration next = pause.multipliedBy(2);
        return next.compareTo(MAX_RETRY_PAUSE) > 0 ? MAX_RETRY_PAUSE : next;
    }

    /** Whether {@code failure}, or anything in its chain of causes, is one of {@code kinds}. */
    @SafeVarargs
    public static boolean causedBy(Throwable failure, Class<? extends Throwable>... kinds) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (Class<? extends Throwable> kind : kinds) {
                if (kind.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final Comparator<TopicPartition> BY_PARTITION = Comparator.comparingInt(TopicPartition::partition);

    /** A replica's default name: host name and process id (the pod name on Kubernetes, unique per process on one host). */
    public static String defaultInstanceId(String fallbackHost) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = fallbackHost;
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
