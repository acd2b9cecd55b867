package dev.cifarpipeline.events.checkpoint;

import dev.cifarpipeline.events.RecordFormatException;

/** A checkpoint whose reassembled bytes do not match its manifest; nothing may be loaded from it. */
public class CheckpointIntegrityException extends RecordFormatException {
    public CheckpointIntegrityException(String message) {
        super(message);
    }
}
