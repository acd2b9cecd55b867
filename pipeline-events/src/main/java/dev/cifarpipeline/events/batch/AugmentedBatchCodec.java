package dev.cifarpipeline.events.batch;

import dev.cifarpipeline.events.ImageGeometry;
import dev.cifarpipeline.events.RecordFormatException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Binary layout of {@link AugmentedBatch}, version 1, big-endian:
 *
 * <pre>
 * offset  size          field
 * 0       4             magic "CFAB"
 * 4       1             version (1)
 * 5       1             kind (0 train, 1 test)
 * 6       2             reserved, 0
 * 8       8             stream seed
 * 16      4             epoch
 * 20      4             batch index
 * 24      4             batches in epoch
 * 28      4             image count n (1..MAX_IMAGES)
 * 32      4n            image indices
 * 32+4n   n             labels
 * 32+5n   3072n         pixels, image-major, CHW
 * end-4   4             CRC-32C of every byte before it
 * </pre>
 *
 * The decoder checks the length implied by the count against the record's actual length before allocating
 * anything, so a corrupted count cannot trigger a huge allocation.
 */
public final class AugmentedBatchCodec {
    public static final int MAGIC = 0x43464142; // "CFAB"
    public static final byte VERSION = 1;
    public static final int HEADER_BYTES = 32;
    public static final int MAX_IMAGES = 8192;
    private static final int TRAILER_BYTES = 4;

    private AugmentedBatchCodec() {}

    public static int encodedSize(int images) {
        return HEADER_BYTES + images * (4 + 1 + ImageGeometry.BYTES_PER_IMAGE) + TRAILER_BYTES;
    }

    public static byte[] encode(AugmentedBatch batch) {
        int n = batch.size();
        ByteBuffer out = ByteBuffer.allocate(encodedSize(n));
        out.putInt(MAGIC)
                .put(VERSION)
                .put((byte) batch.kind().code())
                .putShort((short) 0)
                .putLong(batch.streamSeed())
                .putInt(batch.epoch())
                .putInt(batch.batchIndex())
                .putInt(batch.batchesInEpoch())
                .putInt(n);
        for (int index : batch.imageIndices()) {
            out.putInt(index);
        }
        out.put(batch.labels()).put(batch.pixels());
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    public static AugmentedBatch decode(byte[] record) {
        if (record == null) {
            throw new RecordFormatException("AugmentedBatch: the record has no value (null payload)");
        }
        if (record.length < HEADER_BYTES + TRAILER_BYTES) {
            throw new RecordFormatException("AugmentedBatch: record of " + record.length + " bytes is shorter than the "
                    + (HEADER_BYTES + TRAILER_BYTES) + "-byte header and CRC");
        }
        ByteBuffer in = ByteBuffer.wrap(record);
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new RecordFormatException(String.format(
                    "AugmentedBatch: bad magic 0x%08x at byte 0 (expected 0x%08x \"CFAB\")", magic, MAGIC));
        }
        int version = in.get();
        if (version != VERSION) {
            throw new RecordFormatException("AugmentedBatch: unsupported version " + version
                    + " at byte 4 (this build reads version " + VERSION + ")");
        }
        BatchKind kind = BatchKind.ofCode(in.get());
        in.getShort();
        long streamSeed = in.getLong();
        int epoch = in.getInt();
        int batchIndex = in.getInt();
        int batchesInEpoch = in.getInt();
        int count = in.getInt();
        if (count <= 0 || count > MAX_IMAGES) {
            throw new RecordFormatException(
                    "AugmentedBatch: image count " + count + " at byte 28 is outside 1.." + MAX_IMAGES);
        }
        int expected = encodedSize(count);
        if (record.length != expected) {
            throw new RecordFormatException("AugmentedBatch: record is " + record.length + " bytes but its count of "
                    + count + " images at byte 28 implies " + expected + " (truncated or padded body)");
        }
        CRC32C crc = new CRC32C();
        crc.update(record, 0, record.length - TRAILER_BYTES);
        int stored = ByteBuffer.wrap(record, record.length - TRAILER_BYTES, TRAILER_BYTES)
                .getInt();
        if (stored != (int) crc.getValue()) {
            throw new RecordFormatException(String.format(
                    "AugmentedBatch: CRC-32C mismatch at byte %d: stored 0x%08x, computed 0x%08x",
                    record.length - TRAILER_BYTES, stored, (int) crc.getValue()));
        }
        try {
            int[] indices = new int[count];
            for (int i = 0; i < count; i++) {
                indices[i] = in.getInt();
            }
            byte[] labels = new byte[count];
            in.get(labels);
            byte[] pixels = new byte[count * ImageGeometry.BYTES_PER_IMAGE];
            in.get(pixels);
            return new AugmentedBatch(kind, streamSeed, epoch, batchIndex, batchesInEpoch, indices, labels, pixels);
        } catch (IllegalArgumentException e) {
            throw new RecordFormatException(
                    "AugmentedBatch " + kind + "/" + epoch + "/" + batchIndex + ": " + e.getMessage(), e);
        } catch (BufferUnderflowException e) {
            throw new RecordFormatException("AugmentedBatch: body ends early", e);
        }
    }
}
