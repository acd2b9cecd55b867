package dev.cifarpipeline.events.batch;

import dev.cifarpipeline.events.RecordFormatException;

/** Whether a batch of images is augmented training data or the (unaugmented) test set. */
public enum BatchKind {
    TRAIN(0),
    TEST(1);

    private final int code;

    BatchKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    static BatchKind ofCode(int code) {
        for (BatchKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        throw new RecordFormatException(
                "AugmentedBatch: unknown batch kind " + code + " at byte 5 (expected 0=TRAIN or 1=TEST)");
    }
}
