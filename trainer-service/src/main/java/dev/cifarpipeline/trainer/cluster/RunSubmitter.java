package dev.cifarpipeline.trainer.cluster;

import dev.cifarpipeline.events.RunSpec;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.kafka.ServiceAccess;
import dev.cifarpipeline.trainer.run.TrainerOutputs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Puts a new run on the run-spec topic, in the partition {@link RunPlacement} picks from the trainers' group as
 * it is now, keyed by run id. A run id that is already known is refused: a run is resumed by its trainer, not by
 * submitting it again, and one id in two partitions would have two trainers.
 *
 * <p>Two submissions of one run id at the same moment (to two trainer replicas) cannot both be accepted: each
 * looks the id up and writes its spec inside a Kafka transaction of a transactional id made from the run id, and
 * opening that transaction fences any other submission of the id still in flight, aborting its spec. So the one
 * that looked last either sees the other's spec or is the only one whose spec is committed.
 */
public final class RunSubmitter {
    /** The run id is taken. */
    public static final class RunExistsException extends IllegalStateException {
        public RunExistsException(String message) {
            super(message);
        }
    }

    /** No run of that id is known. */
    public static final class UnknownRunException extends IllegalStateException {
        public UnknownRunException(String message) {
            super(message);
        }
    }

    /** A stop asked of a run: where the request went, and whether it was asked before. */
    public record StopRequest(String runId, int partition, long requestedAtMillis, boolean already) {}

    /** Where a submitted run went. */
    public record Placement(String runId, int partition, String trainer) {}

    private final Map<String, Object> kafka;
    private final Admin admin;
    private final TrainerOutputs outputs;
    private final String specTopic;
    private final String eventTopic;
    private final String claimGroup;

    public RunSubmitter(
            Map<String, Object> kafka,
            Admin admin,
            TrainerOutputs outputs,
            String specTopic,
            String eventTopic,
            String claimGroup) {
        this.kafka = kafka;
        this.admin = admin;
        this.outputs = outputs;
        this.specTopic = specTopic;
        this.eventTopic = eventTopic;
        this.claimGroup = claimGroup;
    }

    public synchronized Placement submit(RunSpec spec) throws InterruptedException {
        if (spec.stopRequested()) {
            throw new IllegalArgumentException(
                    "run spec " + spec.runId() + ": stopRequestedAtMillis is not for submitting; "
                            + "stop a run with POST /trainer/runs/" + spec.runId() + "/stop");
        }
        Map<String, Object> config = TrainerOutputs.producerConfig(kafka, "submit-" + spec.runId());
        config.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                ServiceAccess.SUBMIT_TRANSACTION_PREFIX + specTopic + "-" + spec.runId());
        KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions(); // from here on, another submission of this run id in flight is fenced
            return submit(spec, producer);
        } catch (KafkaException e) {
            if (lostTheRace(e)) {
                throw raced(spec);
            }
            throw e;
        } finally {
            // bounded: with the broker away, an open transaction's abort would keep every later submit waiting
            producer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Whether a submission failed because another submission of the same id fenced it, aborting its spec: the broker
     * says so in several ways, depending on where the submission was (an old epoch on its produce request among them;
     * a submission's transaction lasts a moment, so it cannot have expired instead).
     */
    private static boolean lostTheRace(Throwable e) {
        return KafkaClients.causedBy(
                e,
                ProducerFencedException.class,
                InvalidProducerEpochException.class,
                InvalidTxnStateException.class,
                TransactionAbortedException.class);
    }

    private static RunExistsException raced(RunSpec spec) {
        return new RunExistsException("run " + spec.runId() + " was submitted through another request at the same "
                + "moment, and that request holds the id; choose another run id");
    }

    private Placement submit(RunSpec spec, KafkaProducer<String, byte[]> producer) throws InterruptedException {
        RunDirectory directory = RunDirectory.read(kafka, specTopic, eventTopic, "trainer-submit");
        if (directory.runs().containsKey(spec.runId())) {
            RunDirectory.Entry existing = directory.runs().get(spec.runId());
            throw new RunExistsException(
                    "run " + spec.runId() + " exists already (run-spec partition " + existing.partition()
                            + (existing.latestEvent() == null
                                    ? ""
                                    : ", last event " + existing.latestEvent().type()) + "); choose another run id");
        }
        Map<String, Set<Integer>> members = new HashMap<>();
        Map<String, String> hosts = new HashMap<>();
        int partitions;
        try {
            partitions = admin.describeTopics(List.of(specTopic))
                    .allTopicNames()
                    .get()
                    .get(specTopic)
                    .partitions()
                    .size();
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(claimGroup))
                    .all()
                    .get()
                    .get(claimGroup);
            if (group != null) {
                for (MemberDescription m : group.members()) {
                    Set<Integer> owned = new HashSet<>();
                    for (TopicPartition tp : m.assignment().topicPartitions()) {
                        if (tp.topic().equals(specTopic)) {
                            owned.add(tp.partition());
                        }
                    }
                    members.put(m.consumerId(), owned);
                    hosts.put(m.consumerId(), m.clientId());
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the trainers' group " + claimGroup + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
        int partition = RunPlacement.choose(partitions, members, directory.activeRunsByPartition());
        producer.beginTransaction();
        try {
            producer.send(new ProducerRecord<>(specTopic, partition, spec.runId(), spec.toJson()))
                    .get();
        } catch (ExecutionException e) {
            if (lostTheRace(e.getCause())) {
                throw raced(spec);
            }
            throw new IllegalStateException(
                    "cannot publish the spec of run " + spec.runId() + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        }
        producer.commitTransaction();
        String trainer = members.entrySet().stream()
                .filter(m -> m.getValue().contains(partition))
                .map(m -> hosts.get(m.getKey()))
                .findFirst()
                .orElse("none yet");
        return new Placement(spec.runId(), partition, trainer);
    }

    /**
     * Asks a run to stop: its spec again, with the time of the request, in the run's own partition, so the trainer
     * that owns it (and any later owner) reads it. The trainer checkpoints the run and publishes STOPPED; a stopped
     * run is not trained again. Asking twice is harmless; a run that has ended cannot be stopped.
     */
    public synchronized StopRequest stop(String runId) {
        RunDirectory.Entry entry = RunDirectory.read(kafka, specTopic, eventTopic, "trainer-stop")
                .runs()
                .get(runId);
        if (entry == null) {
            throw new UnknownRunException("no run " + runId + " on " + specTopic);
        }
        if (entry.terminal()) {
            throw new RunExistsException("run " + runId + " has ended already ("
                    + entry.latestEvent().type() + "): nothing to stop");
        }
        if (entry.spec().stopRequested()) {
            return new StopRequest(runId, entry.partition(), entry.spec().stopRequestedAtMillis(), true);
        }
        RunSpec stopped = entry.spec().withStopRequested(System.currentTimeMillis());
        outputs.send(specTopic, entry.partition(), runId, stopped.toJson());
        return new StopRequest(runId, entry.partition(), stopped.stopRequestedAtMillis(), false);
    }

    /**
     * Asks every run of sweep {@code sweepId} that has not ended to stop, as {@link #stop} asks one: one read of the
     * topics, then each run's spec again with the time of the request. The runs that had ended are listed apart.
     */
    public synchronized SweepStop stopSweep(String sweepId) {
        List<StopRequest> requested = new ArrayList<>();
        List<String> ended = new ArrayList<>();
        long now = System.currentTimeMillis();
        RunDirectory.read(kafka, specTopic, eventTopic, "trainer-stop").runs().forEach((runId, entry) -> {
            if (!sweepId.equals(entry.spec().sweep())) {
                return;
            }
            if (entry.terminal()) {
                ended.add(runId);
            } else if (entry.spec().stopRequested()) {
                requested.add(
                        new StopRequest(runId, entry.partition(), entry.spec().stopRequestedAtMillis(), true));
            } else {
                RunSpec stopped = entry.spec().withStopRequested(now);
                outputs.send(specTopic, entry.partition(), runId, stopped.toJson());
                requested.add(new StopRequest(runId, entry.partition(), now, false));
            }
        });
        if (requested.isEmpty() && ended.isEmpty()) {
            throw new UnknownRunException("no run of sweep " + sweepId + " on " + specTopic);
        }
        return new SweepStop(sweepId, requested, ended);
    }

    /** What stopping a sweep asked: the runs asked to stop (or asked before), and those that had ended already. */
    public record SweepStop(String sweepId, List<StopRequest> stopping, List<String> ended) {}
}
