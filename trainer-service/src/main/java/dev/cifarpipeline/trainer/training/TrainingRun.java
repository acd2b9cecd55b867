package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.checkpoint.CheckpointChunker;
import dev.cifarpipeline.events.checkpoint.CheckpointManifest;
import dev.cifarpipeline.events.checkpoint.Sha256;
import dev.cifarpipeline.model.TrainingCheckpoint;
import dev.cifarpipeline.model.TrainingState;
import dev.cifarpipeline.trainer.training.BatchLedger.Admission;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One run from its first batch to its last epoch: admits each batch through the {@link BatchLedger}, trains
 * on new ones, and takes a checkpoint whenever an epoch is complete. The session is created on the first batch,
 * because only the stream says how many batches an epoch has (and so how long the schedule is).
 */
public final class TrainingRun implements AutoCloseable {
    /** The seed averages its printed loss over 100 iterations. */
    public static final int LOSS_WINDOW = 100;

    private final TrainingSettings settings;
    private final int chunkBytes;
    private final Consumer<String> progress;
    private BatchLedger ledger;
    private final LossWindow losses = new LossWindow(LOSS_WINDOW);
    private final DivergenceMonitor divergence;
    private TrainingSession session;
    private boolean stopped;
    private long checkpointedStep = -1;

    public TrainingRun(TrainingSettings settings, int chunkBytes, Consumer<String> progress) {
        this.settings = settings;
        this.chunkBytes = chunkBytes;
        this.progress = progress;
        this.ledger = new BatchLedger(settings.epochs());
        this.divergence = new DivergenceMonitor(settings.divergence());
    }

    public StepReport accept(AugmentedBatch batch) {
        return accept(batch, Map::of);
    }

    /**
     * Admits and maybe trains {@code batch}; {@code nextOffsets} gives where the stream is to be read after it
     * ("topic:partition" → offset), which a checkpoint taken now records so that a resume reads on from there. It is
     * asked only when a checkpoint is taken.
     */
    public StepReport accept(AugmentedBatch batch, Supplier<Map<String, Long>> nextOffsets) {
        Admission admission = stopped ? Admission.RUN_STOPPED : ledger.admit(batch);
        if (admission != Admission.TRAIN) {
            return new StepReport(
                    admission,
                    Double.NaN,
                    losses.mean(),
                    Double.NaN,
                    Double.NaN,
                    steps(),
                    0,
                    Optional.empty(),
                    Optional.empty());
        }
        if (session == null) {
            long totalSteps = (long) settings.scheduleEpochs() * batch.batchesInEpoch();
            session = new TrainingSession(
                    settings, OneCycleSchedule.pytorchDefaults(settings.maxLearningRate(), totalSteps));
        }
        double lr = session.learningRate();
        double momentum = session.momentum();
        long start = System.nanoTime();
        double loss;
        try {
            loss = session.step(batch);
        } catch (RuntimeException e) {
            ledger.release(batch); // not trained: a redelivery must be trained, not skipped as a duplicate
            throw e;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        losses.add(loss);
        Optional<String> diverged = divergence.observe(session.steps(), loss, losses.mean());
        if (diverged.isPresent()) {
            progress.accept("run " + settings.runId() + " DIVERGED: " + diverged.get()
                    + (settings.divergence().stopOnDivergence() ? "; stopping the run" : "; going on as configured"));
            stopped = settings.divergence().stopOnDivergence();
        }
        if (session.steps() % settings.logEvery() == 0) {
            progress.accept(String.format(
                    java.util.Locale.ROOT, // the command reads the numbers back (RunFollower)
                    "run %s [epoch %d, iteration %5d] loss: %.3f  lr %.5f  momentum %.4f  %.0f img/s  step %d",
                    settings.runId(),
                    batch.epoch() + 1,
                    batch.batchIndex() + 1,
                    losses.mean(),
                    lr,
                    momentum,
                    batch.size() / seconds,
                    session.steps()));
        }
        Optional<Checkpoint> checkpoint = Optional.empty();
        boolean periodic =
                settings.checkpointEverySteps() > 0 && session.steps() % settings.checkpointEverySteps() == 0;
        if ((ledger.epochComplete(batch.epoch()) || periodic) && !stopped) {
            checkpoint = Optional.of(checkpoint(ledger.completedEpochs(), nextOffsets.get()));
        }
        return new StepReport(
                admission, loss, losses.mean(), lr, momentum, session.steps(), seconds, checkpoint, diverged);
    }

    /**
     * A checkpoint of where the run is now, for a run that is being stopped or moved: empty when nothing was
     * trained since the last one (or at all), and when the run stopped itself (its weights are not worth resuming).
     */
    public Optional<Checkpoint> checkpointNow(Map<String, Long> nextOffsets) {
        if (session == null || stopped || session.steps() == checkpointedStep || session.steps() == 0) {
            return Optional.empty();
        }
        return Optional.of(checkpoint(ledger.completedEpochs(), nextOffsets));
    }

    private Checkpoint checkpoint(int epochsDone, Map<String, Long> nextOffsets) {
        checkpointedStep = session.steps();
        TrainingState state = new TrainingState(
                TrainingState.SCHEMA_VERSION,
                settings.runId(),
                session.steps(),
                ledger.snapshot(),
                nextOffsets,
                settings.seed());
        byte[] bytes = new TrainingCheckpoint(state, session.weights(), session.momentumState()).encode();
        String id = settings.runId() + "-e" + epochsDone + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        CheckpointManifest manifest = new CheckpointManifest(
                CheckpointManifest.SCHEMA_VERSION,
                id,
                settings.runId(),
                settings.sweep(),
                settings.model().architecture().id(),
                settings.model().layout().id(),
                TrainingCheckpoint.FORMAT,
                epochsDone,
                session.steps(),
                losses.mean(),
                bytes.length,
                CheckpointChunker.chunkCount(bytes.length, chunkBytes),
                Sha256.hex(bytes),
                ledger.lineage(),
                System.currentTimeMillis());
        progress.accept(String.format(
                "run %s: %d epoch(s) complete, %d steps, mean loss %.3f; checkpoint %s (%.1f MB)",
                settings.runId(), epochsDone, session.steps(), losses.mean(), id, bytes.length / 1e6));
        return new Checkpoint(manifest, bytes);
    }

    /**
     * Continues from {@code checkpoint}: the ledger, the weights, the optimizer's buffers and the schedule's
     * position are restored, so the batches after it train exactly as they would have without the interruption.
     */
    public void restore(TrainingCheckpoint checkpoint) {
        if (session != null) {
            throw new IllegalStateException("restore a run before it trains");
        }
        TrainingState state = checkpoint.state();
        if (state.epochs().isEmpty()) {
            throw new IllegalArgumentException("checkpoint of run " + state.runId() + " holds no epochs");
        }
        ledger = BatchLedger.restore(settings.epochs(), state.epochs());
        long totalSteps =
                (long) settings.scheduleEpochs() * state.epochs().get(0).batchesInEpoch();
        session =
                new TrainingSession(settings, OneCycleSchedule.pytorchDefaults(settings.maxLearningRate(), totalSteps));
        session.restore(checkpoint);
        checkpointedStep = session.steps();
        progress.accept(String.format(
                "run %s resumed at step %d, %d epoch(s) complete",
                settings.runId(), session.steps(), ledger.completedEpochs()));
    }

    public TrainingSettings settings() {
        return settings;
    }

    public long steps() {
        return session == null ? 0 : session.steps();
    }

    public int completedEpochs() {
        return ledger.completedEpochs();
    }

    /** Share of {@code epoch}'s batches trained so far, 0 to 1. */
    public double epochProgress(int epoch) {
        return ledger.progress(epoch);
    }

    /** Whether the run ended by itself before its last epoch (diverged, configured to stop). */
    public boolean stopped() {
        return stopped;
    }

    public boolean finished() {
        return stopped || ledger.completedEpochs() >= settings.epochs();
    }

    public boolean diverged() {
        return divergence.diverged();
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
    }
}
