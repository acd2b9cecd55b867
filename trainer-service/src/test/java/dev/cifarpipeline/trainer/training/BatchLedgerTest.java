package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RecordFormatException;
import dev.cifarpipeline.events.batch.AugmentedBatch;
import dev.cifarpipeline.events.batch.BatchKind;
import dev.cifarpipeline.events.checkpoint.EpochLineage;
import dev.cifarpipeline.trainer.training.BatchLedger.Admission;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLedgerTest {
    private static AugmentedBatch batch(int epoch, int index, int perEpoch) {
        return new AugmentedBatch(
                BatchKind.TRAIN, 0, epoch, index, perEpoch, new int[] {index}, new byte[] {1}, new byte[3072]);
    }

    @Test
    void redeliveredBatchIsSkippedAndCountedAsDuplicate() {
        BatchLedger ledger = new BatchLedger(2);
        assertEquals(Admission.TRAIN, ledger.admit(batch(0, 0, 3)));
        assertEquals(Admission.TRAIN, ledger.admit(batch(0, 1, 3)));
        assertEquals(Admission.DUPLICATE, ledger.admit(batch(0, 1, 3)));
        assertFalse(ledger.epochComplete(0));
        assertEquals(Admission.TRAIN, ledger.admit(batch(0, 2, 3)));
        assertTrue(ledger.epochComplete(0));
        assertEquals(List.of(new EpochLineage(0, 3, 3, 1)), ledger.lineage());
    }

    @Test
    void batchesBeyondTheRunsEpochsAreNotTrained() {
        BatchLedger ledger = new BatchLedger(1);
        assertEquals(Admission.BEYOND_RUN, ledger.admit(batch(1, 0, 3)));
        assertEquals(0, ledger.completedEpochs());
    }

    @Test
    void completedEpochsCountsOnlyAnUnbrokenPrefix() {
        BatchLedger ledger = new BatchLedger(3);
        ledger.admit(batch(1, 0, 1));
        assertEquals(0, ledger.completedEpochs(), "epoch 1 complete but epoch 0 not");
        ledger.admit(batch(0, 0, 1));
        assertEquals(2, ledger.completedEpochs());
    }

    @Test
    void anEpochClaimingMoreBatchesThanAnyDatasetIsRefusedBeforeItsBitmapIsMade() {
        BatchLedger ledger = new BatchLedger(1);
        RecordFormatException e =
                assertThrows(RecordFormatException.class, () -> ledger.admit(batch(0, 0, Integer.MAX_VALUE)));
        assertTrue(e.getMessage().contains("more than " + BatchLedger.MAX_BATCHES_IN_EPOCH), e.getMessage());
        assertEquals(Admission.TRAIN, ledger.admit(batch(0, 0, 3)));
    }
}
