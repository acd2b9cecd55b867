package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.checkpoint.EpochLineage;
import dev.cifarpipeline.model.TrainingState;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;

/**
 * Which batches of each epoch a run has trained on. It decides whether an arriving batch is new, a duplicate
 * (redelivered after a restart or a rebalance) or beyond the run's last epoch, and it is the lineage written
 * into every checkpoint: the evidence that each epoch was one pass, no batch twice, none missing.
 */
public final class BatchLedger {
    public enum Admission {
        TRAIN,
        DUPLICATE,
        BEYOND_RUN,
        RUN_STOPPED
    }

    /** More batches in one epoch than any dataset this pipeline streams has; the bound keeps a ledger's bitmaps small. */
    public static final int MAX_BATCHES_IN_EPOCH = 1 << 22;

    private final int epochs;
    private final TreeMap<Integer, Epoch> byEpoch = new TreeMap<>();

    public BatchLedger(int epochs) {
        this.epochs = epochs;
    }

    public Admission admit(AugmentedBatch batch) {
        if (batch.epoch() >= epochs) {
            return Admission.BEYOND_RUN;
        }
        if (batch.batchesInEpoch() > MAX_BATCHES_IN_EPOCH) {
            throw new RecordFormatException("batch " + batch.id() + " says its epoch has " + batch.batchesInEpoch()
                    + " batches, more than " + MAX_BATCHES_IN_EPOCH);
        }
        Epoch e = byEpoch.computeIfAbsent(batch.epoch(), k -> new Epoch(batch.batchesInEpoch()));
        if (e.batchesInEpoch != batch.batchesInEpoch()) {
            throw new RecordFormatException("batch " + batch.id() + " says its epoch has " + batch.batchesInEpoch()
                    + " batches, earlier batches said " + e.batchesInEpoch);
        }
        if (e.trained.get(batch.batchIndex())) {
            e.duplicates++;
            return Admission.DUPLICATE;
        }
        e.trained.set(batch.batchIndex());
        return Admission.TRAIN;
    }

    /** Takes back an admission whose training step failed, so the batch counts as not yet trained. */
    public void release(AugmentedBatch batch) {
        Epoch e = byEpoch.get(batch.epoch());
        if (e != null) {
            e.trained.clear(batch.batchIndex());
        }
    }

    public boolean epochComplete(int epoch) {
        Epoch e = byEpoch.get(epoch);
        return e != null && e.trained.cardinality() == e.batchesInEpoch;
    }

    /** Share of {@code epoch}'s batches trained so far, 0 to 1. */
    public double progress(int epoch) {
        Epoch e = byEpoch.get(epoch);
        return e == null ? 0 : e.trained.cardinality() / (double) e.batchesInEpoch;
    }

    /** Epochs completed in order from the first: epoch k counts only if 0..k are all complete. */
    public int completedEpochs() {
        int done = 0;
        while (epochComplete(done)) {
            done++;
        }
        return done;
    }

    /** The ledger as a checkpoint stores it. */
    public List<TrainingState.EpochBatches> snapshot() {
        List<TrainingState.EpochBatches> out = new ArrayList<>();
        byEpoch.forEach((epoch, e) -> out.add(
                new TrainingState.EpochBatches(epoch, e.batchesInEpoch, e.trained.toLongArray(), e.duplicates)));
        return out;
    }

    /** A ledger as a checkpoint stored it. */
    public static BatchLedger restore(int epochs, List<TrainingState.EpochBatches> snapshot) {
        BatchLedger ledger = new BatchLedger(epochs);
        for (TrainingState.EpochBatches s : snapshot) {
            Epoch e = new Epoch(s.batchesInEpoch());
            e.trained.or(BitSet.valueOf(s.trained()));
            e.duplicates = s.duplicates();
            ledger.byEpoch.put(s.epoch(), e);
        }
        return ledger;
    }

    public List<EpochLineage> lineage() {
        List<EpochLineage> out = new ArrayList<>();
        byEpoch.forEach((epoch, e) ->
                out.add(new EpochLineage(epoch, e.batchesInEpoch, e.trained.cardinality(), e.duplicates)));
        return out;
    }

    private static final class Epoch {
        final int batchesInEpoch;
        final BitSet trained;
        int duplicates;

        Epoch(int batchesInEpoch) {
            this.batchesInEpoch = batchesInEpoch;
            this.trained = new BitSet(batchesInEpoch);
        }
    }
}
