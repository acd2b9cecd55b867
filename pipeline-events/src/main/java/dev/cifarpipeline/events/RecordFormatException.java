package dev.cifarpipeline.events;

/**
 * A record on the wire that cannot be decoded. The message names the record type, the field or byte offset
 * and what was expected, because it ends up in a dead-letter header that a person reads.
 */
public class RecordFormatException extends RuntimeException {
    public RecordFormatException(String message) {
        super(message);
    }

    public RecordFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
