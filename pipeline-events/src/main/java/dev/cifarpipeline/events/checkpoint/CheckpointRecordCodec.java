package dev.cifarpipeline.events.checkpoint;

import dev.cifarpipeline.events.EventJson;
import dev.cifarpipeline.events.RecordFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Wire form of the checkpoints topic. Every record starts with a 4-byte magic naming its type, then a
 * version byte:
 *
 * <pre>
 * chunk    "CFCC" v1 | id length (2) | id (UTF-8) | chunk index (4) | chunk count (4) | data length (4) | data | CRC-32C (4)
 * manifest "CFCM" v1 | CheckpointManifest as JSON
 * </pre>
 *
 * Lengths are checked against the record's size (and {@link #MAX_CHUNK_BYTES}) before any allocation.
 */
public final class CheckpointRecordCodec {
    public static final int CHUNK_MAGIC = 0x43464343; // "CFCC"
    public static final int MANIFEST_MAGIC = 0x4346434d; // "CFCM"
    public static final byte VERSION = 1;
    /** Chunks stay well under Kafka's default 1 MB record and request limits. */
    public static final int DEFAULT_CHUNK_BYTES = 512 * 1024;

    public static final int MAX_CHUNK_BYTES = 8 * 1024 * 1024;
    private static final int MAX_ID_BYTES = 200;

    private CheckpointRecordCodec() {}

    public static byte[] encode(CheckpointRecord record) {
        if (record instanceof CheckpointChunk chunk) {
            byte[] id = chunk.checkpointId().getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(4 + 1 + 2 + id.length + 12 + chunk.data().length + 4);
            out.putInt(CHUNK_MAGIC)
                    .put(VERSION)
                    .putShort((short) id.length)
                    .put(id)
                    .putInt(chunk.chunkIndex())
                    .putInt(chunk.chunkCount())
                    .putInt(chunk.data().length)
                    .put(chunk.data());
            CRC32C crc = new CRC32C();
            crc.update(out.array(), 0, out.position());
            out.putInt((int) crc.getValue());
            return out.array();
        }
        CheckpointManifest manifest = (CheckpointManifest) record;
        byte[] json = EventJson.write(manifest);
        return ByteBuffer.allocate(5 + json.length)
                .putInt(MANIFEST_MAGIC)
                .put(VERSION)
                .put(json)
                .array();
    }

    public static CheckpointRecord decode(byte[] record) {
        if (record == null || record.length < 5) {
            throw new RecordFormatException("CheckpointRecord: record of " + (record == null ? "no" : record.length)
                    + " bytes is shorter than its 5-byte magic and version");
        }
        ByteBuffer in = ByteBuffer.wrap(record);
        int magic = in.getInt();
        int version = in.get();
        if (magic != CHUNK_MAGIC && magic != MANIFEST_MAGIC) {
            throw new RecordFormatException(String.format(
                    "CheckpointRecord: bad magic 0x%08x at byte 0 (expected \"CFCC\" chunk or \"CFCM\" manifest)",
                    magic));
        }
        if (version != VERSION) {
            throw new RecordFormatException("CheckpointRecord: unsupported version " + version
                    + " at byte 4 (this build reads version " + VERSION + ")");
        }
        if (magic == MANIFEST_MAGIC) {
            try {
                return EventJson.readAdding(
                        Arrays.copyOfRange(record, 5, record.length), CheckpointManifest.class, "sweep");
            } catch (RecordFormatException e) {
                throw new RecordFormatException("CheckpointManifest at byte 5: " + e.getMessage(), e);
            }
        }
        return decodeChunk(record, in);
    }

    private static CheckpointChunk decodeChunk(byte[] record, ByteBuffer in) {
        if (record.length < 7) {
            throw new RecordFormatException("CheckpointChunk: record ends before the id length at byte 5");
        }
        int idLength = Short.toUnsignedInt(in.getShort());
        int fixed = 7 + idLength + 12 + 4;
        if (idLength == 0 || idLength > MAX_ID_BYTES || record.length < fixed) {
            throw new RecordFormatException("CheckpointChunk: id length " + idLength + " at byte 5 does not fit a "
                    + record.length + "-byte record (1.." + MAX_ID_BYTES + " allowed)");
        }
        String id = new String(record, 7, idLength, StandardCharsets.UTF_8);
        in.position(7 + idLength);
        int index = in.getInt();
        int count = in.getInt();
        int length = in.getInt();
        if (length < 0 || length > MAX_CHUNK_BYTES || record.length != fixed + length) {
            throw new RecordFormatException(
                    "CheckpointChunk " + id + ": data length " + length + " at byte " + (15 + idLength)
                            + " does not match the " + record.length + "-byte record (limit " + MAX_CHUNK_BYTES + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(record, 0, record.length - 4);
        int stored = ByteBuffer.wrap(record, record.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new RecordFormatException(String.format(
                    "CheckpointChunk %s: CRC-32C mismatch at byte %d: stored 0x%08x, computed 0x%08x",
                    id, record.length - 4, stored, (int) crc.getValue()));
        }
        try {
            return new CheckpointChunk(
                    id, index, count, Arrays.copyOfRange(record, 19 + idLength, 19 + idLength + length));
        } catch (IllegalArgumentException e) {
            throw new RecordFormatException("CheckpointChunk " + id + ": " + e.getMessage(), e);
        }
    }
}
