package dev.cifarpipeline.trainer.run;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.TrainingEvent;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.AugmentedBatchCodec;
import dev.cifarpipeline.events.kafka.KafkaClients;
import dev.cifarpipeline.events.sweep.SuccessiveHalving;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.trainer.training.BatchLedger;
import dev.cifarpipeline.trainer.training.Checkpoint;
import dev.cifarpipeline.trainer.training.StepReport;
import dev.cifarpipeline.trainer.training.StreamCheck;
import dev.cifarpipeline.trainer.training.TrainingRun;
import dev.cifarpipeline.trainer.training.TrainingSettings;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One claimed run on its own thread: restores the run's latest checkpoint from Kafka, reads the augmented
 * stream through the run's own consumer group from that checkpoint's offsets (from the stream's start for a
 * fresh run), trains, and publishes checkpoints and events. Asked to stop (its run moves to another trainer,
 * or this trainer shuts down), it finishes the step in progress and checkpoints where it is, so the next owner
 * loses nothing; told its claim is lost (another trainer may already own the run), it stops without writing.
 */
public final class RunWorker implements Runnable {
    public enum State {
        /** Claimed, waiting for one of this trainer's run slots ({@code trainer.limits.max-active-runs}). */
        WAITING,
        RECOVERING,
        TRAINING,
        FINISHED,
        STOPPED,
        RELEASED,
        FAILED;

        /** Whether the run is over on this trainer (for good, or handed on). */
        public boolean ended() {
            return this != WAITING && this != RECOVERING && this != TRAINING;
        }
    }

    /** What the REST view and the health check show of a run. */
    public record Status(
            String runId,
            State state,
            String preset,
            String model,
            String layout,
            int epochs,
            int completedEpochs,
            long step,
            double meanLoss,
            String detail) {}

    private static final Duration POLL = Duration.ofMillis(200);

    private final TrainingSettings settings;
    private final RunContext context;
    private final RunMeters meters;
    private final ClaimCheck owner;
    /** Where the stream is to be read next, per partition: what a checkpoint records. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    private volatile State state = State.RECOVERING;
    /** Why the run is to stop after the step in progress; null while it trains on. */
    private volatile StopMode stop;

    private volatile String detail = "";
    /** The run's own transactional writes; open from the start of {@link #run()} on. */
    private RunPublisher publisher;
    /**
     * How often in a row a run takes itself back from a stale owner that fenced it before giving up (see {@link #run()});
     * a retake after which the run trained past the step it was fenced at ends the row.
     */
    private static final int MAX_RETAKES = 3;

    /** Rung decisions of the run's sweep for the run's thread to publish (and, for a cut, act on). */
    private final Queue<RungVerdict> verdicts = new ConcurrentLinkedQueue<>();
    /** Why the run ends early, when a sweep's early stopping cut it; null otherwise. */
    private volatile String cutBy;
    /** The rungs a decision was handed to this worker for. */
    private final java.util.Set<Integer> rungsDecided = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private record RungVerdict(SuccessiveHalving.Decision decision, boolean published) {}

    private volatile long step;
    private volatile int completedEpochs;
    private volatile double meanLoss = Double.NaN;

    /** @param owner asks the trainers' group whether the run is still this trainer's (see {@link ClaimCheck}) */
    public RunWorker(TrainingSettings settings, RunContext context, RunMeters meters, ClaimCheck owner) {
        this.settings = settings;
        this.context = context;
        this.meters = meters;
        this.owner = owner;
    }

    @Override
    public void run() {
        String runId = settings.runId();
        try {
            publisher = openPublisher();
            Duration pause = KafkaClients.FIRST_RETRY_PAUSE;
            int retakes = 0;
            long stepAtRetake = -1;
            while (true) {
                try {
                    attempt();
                    return;
                } catch (RunPublisher.Fenced e) {
                    // A newer producer of the run's id was opened since ours. If the group still gives the run to this
                    // trainer, a stale owner (back from a pause or an outage) opened it late: opening ours again fences
                    // it, and the run resumes from its latest checkpoint. If not, this trainer is the stale one, and
                    // opening refuses (Fenced): it gives up.
                    if (step > stepAtRetake) {
                        retakes = 0; // the last retake held: the run trained past where it was fenced then
                    }
                    if (stop != null || ++retakes > MAX_RETAKES) {
                        throw e;
                    }
                    stepAtRetake = step;
                    context.log().accept(e.getMessage() + "; this trainer holds the claim: taking the run back");
                    publisher.close();
                    publisher = null;
                    Thread.sleep(pause.toMillis());
                    publisher = openPublisher();
                } catch (RuntimeException e) {
                    if (!KafkaClients.transientFailure(e) || stop == StopMode.DROP) {
                        throw e;
                    }
                    // The broker is away past a client timeout: once it is back, the run resumes from its latest
                    // checkpoint, as a run moved to another trainer does (the batches since are trained again); asked
                    // to stop or release meanwhile, the next attempt does that instead.
                    state = State.RECOVERING;
                    detail = "waiting for the broker: " + e.getMessage();
                    context.log()
                            .accept("run " + runId + ": " + e.getMessage() + "; resuming from its latest checkpoint in "
                                    + pause.toSeconds() + " s");
                    Thread.sleep(pause.toMillis());
                    pause = KafkaClients.longerPause(pause);
                }
            }
        } catch (RunPublisher.Fenced e) {
            state = State.RELEASED;
            detail = e.getMessage();
            context.log().accept(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = State.RELEASED;
        } catch (RuntimeException | Error e) {
            if (stop == StopMode.DROP) {
                state = State.RELEASED;
                return; // the claim was lost: whatever failed, another trainer carries the run now
            }
            // An Error (native code out of memory, a linkage problem) ends the run as FAILED too, never silently.
            state = State.FAILED;
            detail = String.valueOf(e.getMessage());
            context.log().accept("run " + runId + " FAILED: " + e);
            try {
                if (publisher != null) {
                    event(TrainingEvent.Type.FAILED, completedEpochs, step, e.toString());
                }
            } catch (RuntimeException | InterruptedException again) {
                context.log().accept("run " + runId + ": cannot publish the FAILED event either: " + again);
            }
        } finally {
            if (publisher != null) {
                publisher.close();
            }
        }
    }

    /**
     * The run's publisher, opened now: this fences every earlier owner's, so the checkpoint recovered next is the last
     * one any other trainer can ever publish for this run.
     */
    private RunPublisher openPublisher() throws InterruptedException {
        return new RunPublisher(
                context.kafka(),
                context.topics(),
                settings.runId(),
                context.trainerId(),
                () -> stop == StopMode.DROP,
                owner,
                () -> stop != null,
                context.log());
    }

    /** Recovers the run from its latest checkpoint, then trains it until it ends or is asked to stop. */
    private void attempt() throws InterruptedException {
        String runId = settings.runId();
        positions.clear();
        try (TrainingRun run = new TrainingRun(settings, context.chunkBytes(), context.log())) {
            Optional<TrainingCheckpoint> checkpoint =
                    CheckpointRecovery.latest(context.kafka(), context.topics(), runId, context.log());
            checkpoint.ifPresent(c -> {
                run.restore(c);
                positions.putAll(StreamOffsets.decode(c.state().nextOffsets()));
            });
            step = run.steps();
            completedEpochs = run.completedEpochs();
            meters.resumed(step, completedEpochs);
            event(
                    TrainingEvent.Type.CLAIMED,
                    completedEpochs,
                    step,
                    "claimed by trainer " + context.trainerId()
                            + (checkpoint.isPresent() ? ", resuming at step " + step : ", starting afresh"));
            if (run.finished()) { // its last checkpoint is the final one, but the FINISHED event did not make it out
                finish(run);
                return;
            }
            train(run);
        }
    }

    private void train(TrainingRun run) throws InterruptedException {
        Map<String, Object> config = KafkaClients.groupMember(
                context.kafka(),
                context.topics().runGroupPrefix() + settings.runId(),
                context.trainerId() + "-" + settings.runId(),
                context.sessionTimeout(),
                false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 8);
        try (KafkaConsumer<String, byte[]> consumer =
                        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
                EpochMarkers markers = new EpochMarkers(
                        context.kafka(),
                        context.topics().epochMarkers(),
                        line -> context.log().accept("run " + settings.runId() + ": " + line),
                        meters::unreadableMarker)) {
            StreamCheck check = new StreamCheck(markers);
            consumer.subscribe(List.of(context.topics().trainBatches()), new Positioner(consumer));
            state = State.TRAINING;
            long lastStepEnd = 0;
            outer:
            while (stop == null) {
                applyVerdicts(run);
                if (stop != null) {
                    break;
                }
                var records = consumer.poll(POLL);
                long lag = 0;
                for (TopicPartition tp : consumer.assignment()) {
                    lag += consumer.currentLag(tp).orElse(0);
                }
                meters.lag(lag + records.count());
                for (ConsumerRecord<String, byte[]> record : records) {
                    applyVerdicts(run);
                    if (stop != null) {
                        break outer; // the rest are read again from the checkpoint's offsets by the next owner
                    }
                    if (lastStepEnd != 0) {
                        meters.waitedForData((System.nanoTime() - lastStepEnd) / 1e9);
                    }
                    handle(record, run, check);
                    lastStepEnd = System.nanoTime();
                    // Committed progress is what ingest's backpressure reads; resuming uses the checkpoint's offsets.
                    consumer.commitAsync(
                            Map.of(
                                    new TopicPartition(record.topic(), record.partition()),
                                    new OffsetAndMetadata(record.offset() + 1)),
                            null);
                    if (run.finished()) {
                        finish(run);
                        return;
                    }
                }
            }
            StopMode mode = stop;
            if (mode == StopMode.HALTED) {
                return; // it stopped itself and said so
            }
            if (mode.checkpoints()) {
                // A cut is queued here and also written as a stop on the run's spec; that stop can end the loop before
                // the queue is read, and the run must still say it was cut (RUNG_CUT, "stopped early"), not stopped.
                applyVerdicts(run);
                mode = stop;
                Optional<Checkpoint> last = run.checkpointNow(StreamOffsets.encode(positions));
                if (last.isPresent()) {
                    publish(last.get());
                }
                String after = last.isPresent()
                        ? " after checkpoint " + last.get().manifest().checkpointId()
                        : ", nothing new to checkpoint";
                if (mode == StopMode.END) {
                    String why = cutBy == null ? "stopped on request" : "stopped early (" + cutBy + ")";
                    state = State.STOPPED;
                    detail = why;
                    context.log().accept("run " + settings.runId() + " " + why + " at step " + run.steps() + after);
                    event(
                            TrainingEvent.Type.STOPPED,
                            run.completedEpochs(),
                            run.steps(),
                            why + " by trainer " + context.trainerId() + after);
                    return;
                }
                event(
                        TrainingEvent.Type.RELEASED,
                        run.completedEpochs(),
                        run.steps(),
                        "released by trainer " + context.trainerId() + after);
            }
            state = State.RELEASED;
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, TrainingRun run, StreamCheck check)
            throws InterruptedException {
        positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        AugmentedBatch batch;
        StepReport report;
        try {
            batch = AugmentedBatchCodec.decode(record.value());
            check.verify(batch, record.topic(), record.partition(), record.offset());
            meters.received();
            report = run.accept(batch, () -> StreamOffsets.encode(positions));
        } catch (RecordFormatException e) {
            String reason = "run " + settings.runId() + ": " + e.getMessage();
            meters.deadLettered();
            context.outputs().deadLetter(record, reason);
            context.log()
                    .accept("batch record at " + record.topic() + "-" + record.partition() + "@" + record.offset()
                            + " rejected, sent to the dead-letter topic: " + reason);
            return;
        }
        double share = run.epochProgress(batch.epoch());
        meters.report(report, batch.size(), run.completedEpochs(), share);
        step = run.steps();
        completedEpochs = run.completedEpochs();
        meanLoss = report.meanLoss();
        if (report.admission() == BatchLedger.Admission.TRAIN) {
            context.progress()
                    .update(
                            settings.runId(),
                            batch.epoch() + 1,
                            settings.epochs(),
                            (int) Math.round(share * batch.batchesInEpoch()),
                            batch.batchesInEpoch(),
                            report.meanLoss(),
                            batch.size() / report.stepSeconds());
        }
        if (report.divergence().isPresent()) {
            event(
                    TrainingEvent.Type.DIVERGED,
                    batch.epoch() + 1,
                    report.step(),
                    report.divergence().get());
        }
        if (run.stopped()) {
            state = State.STOPPED;
            detail = report.divergence().orElse(detail);
            event(TrainingEvent.Type.STOPPED, run.completedEpochs(), run.steps(), "stopped after diverging: " + detail);
            requestStop(StopMode.HALTED);
            return;
        }
        if (report.checkpoint().isPresent()) {
            publish(report.checkpoint().get());
        }
    }

    private void publish(Checkpoint checkpoint) throws InterruptedException {
        long start = System.nanoTime();
        publisher.checkpoint(checkpoint, context.chunkBytes());
        meters.checkpointPublished(checkpoint.bytes().length, (System.nanoTime() - start) / 1e9);
    }

    private void finish(TrainingRun run) throws InterruptedException {
        state = State.FINISHED;
        context.log()
                .accept(String.format(
                        "run %s finished: %d epoch(s), %d steps",
                        settings.runId(), run.completedEpochs(), run.steps()));
        event(
                TrainingEvent.Type.FINISHED,
                run.completedEpochs(),
                run.steps(),
                run.completedEpochs() + " epoch(s), " + run.steps() + " steps");
    }

    private void event(TrainingEvent.Type type, int epoch, long atStep, String message) throws InterruptedException {
        publisher.event(new TrainingEvent(
                TrainingEvent.SCHEMA_VERSION,
                settings.runId(),
                type,
                epoch,
                atStep,
                message,
                System.currentTimeMillis()));
    }

    /**
     * A rung decision of the run's sweep (from the trainer's {@code SweepSupervisor}): the run's own thread publishes it
     * as RUNG_PASSED or RUNG_CUT unless it was read from the events topic ({@code published}), and a cut ends the run
     * where it is, checkpointed, as a stop on request does. False, and nothing done, for a rung decided here before.
     */
    public boolean rung(SuccessiveHalving.Decision decision, boolean published) {
        if (!rungsDecided.add(decision.rung())) {
            return false; // decided here already: the event read back is this trainer's own
        }
        verdicts.add(new RungVerdict(decision, published));
        return true;
    }

    private void applyVerdicts(TrainingRun run) throws InterruptedException {
        RungVerdict v;
        while ((v = verdicts.poll()) != null) {
            SuccessiveHalving.Decision d = v.decision();
            if (!v.published()) {
                event(
                        d.stop() ? TrainingEvent.Type.RUNG_CUT : TrainingEvent.Type.RUNG_PASSED,
                        d.rung(),
                        run.steps(),
                        d.describe());
            }
            context.log().accept("run " + settings.runId() + ": " + d.describe());
            if (d.stop()) {
                cutBy = d.describe();
                requestStop(StopMode.END);
            }
        }
    }

    /**
     * Asks the run to stop after the step in progress, as {@code mode} says. A later request never weakens an
     * earlier one: a run asked to end for good is not merely released, and one whose claim is lost writes nothing.
     */
    public synchronized void requestStop(StopMode mode) {
        StopMode current = stop;
        if (current == null || mode.compareTo(current) > 0) {
            stop = mode;
        }
    }

    public boolean ended() {
        return state.ended();
    }

    public String runId() {
        return settings.runId();
    }

    public State state() {
        return state;
    }

    public Status status() {
        return new Status(
                settings.runId(),
                state,
                settings.preset().id(),
                settings.model().architecture().id(),
                settings.model().layout().id(),
                settings.epochs(),
                completedEpochs,
                step,
                meanLoss,
                detail);
    }

    /**
     * Puts each partition of the stream, when assigned, where this run is to read next: the checkpoint's
     * offsets on a resume (the batches trained after it died with the last owner, and committed offsets may be
     * past them), the stream's start for a fresh run (committed offsets of an earlier, crashed attempt would
     * skip batches the model never saw), and its own position after any later rebalance.
     */
    private final class Positioner implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> consumer;

        Positioner(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                Long next = positions.get(tp);
                if (next != null) {
                    consumer.seek(tp, next);
                    context.log().accept("run " + settings.runId() + " reads " + tp + " from offset " + next);
                } else {
                    consumer.seekToBeginning(List.of(tp));
                    context.log().accept("run " + settings.runId() + " reads " + tp + " from its start");
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
    }
}
