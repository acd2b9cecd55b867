package dev.cifarpipeline.events.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.RecordFormatException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class AugmentedBatchCodecTest {

    @Test
    void roundTripPreservesEveryField() {
        AugmentedBatch batch = TestBatches.random(128, 7);
        byte[] encoded = AugmentedBatchCodec.encode(batch);
        assertEquals(AugmentedBatchCodec.encodedSize(128), encoded.length);
        assertEquals(32 + 128 * 3077 + 4, encoded.length, "393 KB per 128 images, as the design budgets");
        assertEquals(batch, AugmentedBatchCodec.decode(encoded));
    }

    @Test
    void flippedPixelBitFailsTheCrcAndSaysWhere() {
        byte[] encoded = AugmentedBatchCodec.encode(TestBatches.random(4, 1));
        encoded[1000] ^= 0x10;
        RecordFormatException e = assertThrows(RecordFormatException.class, () -> AugmentedBatchCodec.decode(encoded));
        assertTrue(e.getMessage().contains("CRC-32C mismatch at byte " + (encoded.length - 4)), e.getMessage());
    }

    @Test
    void truncatedBodyIsRejectedBeforeReading() {
        byte[] encoded = AugmentedBatchCodec.encode(TestBatches.random(4, 1));
        byte[] truncated = Arrays.copyOf(encoded, encoded.length - 100);
        RecordFormatException e =
                assertThrows(RecordFormatException.class, () -> AugmentedBatchCodec.decode(truncated));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void countClaimingBillionsOfImagesIsRejectedWithoutAllocating() {
        byte[] encoded = AugmentedBatchCodec.encode(TestBatches.random(2, 1));
        ByteBuffer.wrap(encoded).putInt(28, 400_000_000);
        RecordFormatException e = assertThrows(RecordFormatException.class, () -> AugmentedBatchCodec.decode(encoded));
        assertTrue(e.getMessage().contains("image count 400000000 at byte 28"), e.getMessage());
    }

    @Test
    void unknownVersionAndForeignBytesAreNamed() {
        byte[] encoded = AugmentedBatchCodec.encode(TestBatches.random(1, 1));
        encoded[4] = 9;
        assertTrue(assertThrows(RecordFormatException.class, () -> AugmentedBatchCodec.decode(encoded))
                .getMessage()
                .contains("unsupported version 9 at byte 4"));
        byte[] text = "hello, this is not a batch at all......".getBytes();
        assertTrue(assertThrows(RecordFormatException.class, () -> AugmentedBatchCodec.decode(text))
                .getMessage()
                .contains("bad magic"));
        assertTrue(assertThrows(RecordFormatException.class, () -> AugmentedBatchCodec.decode(new byte[3]))
                .getMessage()
                .contains("shorter than"));
    }

    @Test
    void labelOutsideTheTenClassesIsRejectedEvenWithAValidCrc() {
        AugmentedBatch batch = TestBatches.random(3, 2);
        byte[] encoded = AugmentedBatchCodec.encode(batch);
        encoded[32 + 3 * 4 + 1] = 12; // label of image 1
        CRC32C crc = new CRC32C();
        crc.update(encoded, 0, encoded.length - 4);
        ByteBuffer.wrap(encoded).putInt(encoded.length - 4, (int) crc.getValue());
        RecordFormatException e = assertThrows(RecordFormatException.class, () -> AugmentedBatchCodec.decode(encoded));
        assertTrue(e.getMessage().contains("label 12 of image 1"), e.getMessage());
    }
}
