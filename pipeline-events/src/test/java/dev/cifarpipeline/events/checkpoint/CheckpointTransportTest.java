package dev.cifarpipeline.events.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cifarpipeline.events.EvaluationResult;
import dev.cifarpipeline.events.EventJson;
import dev.cifarpipeline.events.RecordFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckpointTransportTest {

    private static byte[] checkpointBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(3).nextBytes(bytes);
        return bytes;
    }

    private static CheckpointManifest manifest(String id, byte[] bytes, int chunkBytes) {
        return new CheckpointManifest(
                CheckpointManifest.SCHEMA_VERSION,
                id,
                "run-1",
                null,
                "vgg11",
                "batchnorm",
                "djl-parameters-v1",
                1,
                63,
                1.5,
                bytes.length,
                CheckpointChunker.chunkCount(bytes.length, chunkBytes),
                Sha256.hex(bytes),
                List.of(new EpochLineage(0, 63, 63, 0)),
                1L);
    }

    /** Encodes and decodes every record, as the topic would. */
    private static List<CheckpointRecord> overTheWire(
            String id, byte[] bytes, int chunkBytes, CheckpointManifest manifest) {
        List<CheckpointRecord> records = new ArrayList<>(CheckpointChunker.split(id, bytes, chunkBytes));
        records.add(manifest);
        List<CheckpointRecord> decoded = new ArrayList<>();
        for (CheckpointRecord record : records) {
            decoded.add(CheckpointRecordCodec.decode(CheckpointRecordCodec.encode(record)));
        }
        return decoded;
    }

    @Test
    void checkpointSplitIntoChunksArrivesIntactAndVerified() {
        byte[] bytes = checkpointBytes(1_300_000);
        CheckpointManifest manifest = manifest("ck-1", bytes, 512 * 1024);
        assertEquals(3, manifest.chunkCount());
        CheckpointAssembler assembler = new CheckpointAssembler(2, 100_000_000);
        Optional<VerifiedCheckpoint> result = Optional.empty();
        for (CheckpointRecord record : overTheWire("ck-1", bytes, 512 * 1024, manifest)) {
            result = assembler.accept(record);
        }
        assertTrue(result.isPresent());
        assertArrayEquals(bytes, result.get().bytes());
        assertEquals(manifest, result.get().manifest());
        assertEquals(0, assembler.pendingCheckpoints());
    }

    @Test
    void tamperedChunkFailsTheSha256AndNothingIsReturned() {
        byte[] bytes = checkpointBytes(10_000);
        CheckpointManifest manifest = manifest("ck-2", bytes, 4096);
        CheckpointAssembler assembler = new CheckpointAssembler(2, 100_000_000);
        List<CheckpointChunk> chunks = CheckpointChunker.split("ck-2", bytes, 4096);
        for (CheckpointChunk chunk : chunks) {
            byte[] data = chunk.data().clone();
            if (chunk.chunkIndex() == 1) {
                data[17] ^= 1; // tampered before encoding, so the chunk's own CRC is valid
            }
            assembler.accept(new CheckpointChunk(chunk.checkpointId(), chunk.chunkIndex(), chunk.chunkCount(), data));
        }
        CheckpointIntegrityException e =
                assertThrows(CheckpointIntegrityException.class, () -> assembler.accept(manifest));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void missingChunkIsReportedAsIncomplete() {
        byte[] bytes = checkpointBytes(10_000);
        CheckpointManifest manifest = manifest("ck-3", bytes, 4096);
        CheckpointAssembler assembler = new CheckpointAssembler(2, 100_000_000);
        List<CheckpointChunk> chunks = CheckpointChunker.split("ck-3", bytes, 4096);
        assembler.accept(chunks.get(0));
        assembler.accept(chunks.get(2));
        CheckpointIntegrityException e =
                assertThrows(CheckpointIntegrityException.class, () -> assembler.accept(manifest));
        assertTrue(e.getMessage().contains("chunk 1 of 3 is missing"), e.getMessage());
    }

    @Test
    void manifestWithoutChunksAndOversizedCheckpointsAreRefused() {
        byte[] bytes = checkpointBytes(10_000);
        CheckpointAssembler small = new CheckpointAssembler(2, 5_000);
        assertThrows(CheckpointIntegrityException.class, () -> small.accept(manifest("ck-4", bytes, 4096)));
        List<CheckpointChunk> chunks = CheckpointChunker.split("ck-5", bytes, 4096);
        small.accept(chunks.get(0));
        assertThrows(CheckpointIntegrityException.class, () -> small.accept(chunks.get(1)));
    }

    @Test
    void checkpointsBeyondTheLimitAreDeferredNotHeldSoMemoryStaysBounded() {
        CheckpointAssembler assembler = new CheckpointAssembler(2, 100_000_000);
        for (int i = 0; i < 5; i++) {
            assembler.accept(CheckpointChunker.split("abandoned-" + i, checkpointBytes(8192), 4096)
                    .get(0));
        }
        assertEquals(2, assembler.pendingCheckpoints());
        assertEquals(
                Set.of("abandoned-0", "abandoned-1", "abandoned-2", "abandoned-3", "abandoned-4"),
                assembler.unfinishedIds(),
                "the three not held are remembered as unfinished, so nothing is committed past them");
        assertTrue(assembler.deferred("abandoned-2"));
        assertFalse(assembler.deferred("abandoned-0"), "the first begun are held");
    }

    @Test
    void aDeferredCheckpointIsNotHeldEvenWhenRoomFreesUpAndItsManifestSaysSo() {
        byte[] first = checkpointBytes(8192);
        byte[] second = checkpointBytes(6000);
        CheckpointAssembler assembler = new CheckpointAssembler(1, 100_000_000);
        List<CheckpointRecord> a = overTheWire("a", first, 4096, manifest("a", first, 4096));
        List<CheckpointRecord> b = overTheWire("b", second, 4096, manifest("b", second, 4096));
        assembler.accept(a.get(0));
        assembler.accept(b.get(0)); // no room: b is deferred
        assembler.accept(a.get(1));
        assertTrue(assembler.accept(a.get(2)).isPresent(), "a completes");
        assembler.accept(b.get(1)); // room now, but b's first chunk was not held: holding the rest would not help
        assertEquals(0, assembler.pendingCheckpoints());
        assertTrue(assembler.deferred("b"), "its reader fetches b's chunks again when its manifest comes");
        assembler.forget("b");
        assertEquals(Set.of(), assembler.unfinishedIds());
    }

    @Test
    void corruptedChunkRecordsAreRejectedByTheirCrc() {
        byte[] encoded = CheckpointRecordCodec.encode(
                CheckpointChunker.split("ck-6", checkpointBytes(100), 64).get(0));
        encoded[30] ^= 4;
        assertTrue(assertThrows(RecordFormatException.class, () -> CheckpointRecordCodec.decode(encoded))
                .getMessage()
                .contains("CRC-32C mismatch"));
        byte[] manifest = CheckpointRecordCodec.encode(manifest("ck-6", checkpointBytes(100), 64));
        byte[] broken = Arrays.copyOf(manifest, manifest.length - 10);
        assertTrue(assertThrows(RecordFormatException.class, () -> CheckpointRecordCodec.decode(broken))
                .getMessage()
                .contains("CheckpointManifest at byte 5"));
    }

    @Test
    void evaluationResultRoundTripsThroughJson() {
        int[][] confusion = new int[10][10];
        confusion[3][5] = 7;
        List<Double> perClass = new ArrayList<>(Collections.nCopies(10, 0.9));
        perClass.set(9, null); // a class the test set lacks
        EvaluationResult result = new EvaluationResult(
                EvaluationResult.SCHEMA_VERSION,
                "run-1",
                "sweep-a",
                "ck-1",
                "vgg11",
                "seed",
                3,
                189,
                0.91,
                0.3,
                perClass,
                confusion,
                500,
                2.5,
                98L,
                99L);
        EvaluationResult back = EvaluationResult.fromJson(result.toJson());
        assertEquals(result.checkpointId(), back.checkpointId());
        assertEquals("sweep-a", back.sweep());
        assertEquals(perClass, back.perClassAccuracy());
        assertEquals(7, back.confusion()[3][5]);
        assertEquals(new String(result.toJson()), new String(back.toJson()));
        assertThrows(RecordFormatException.class, () -> EvaluationResult.fromJson("{\"runId\":\"x\"}".getBytes()));
        // no event at all is refused as a record that is not one, never read as null
        assertThrows(RecordFormatException.class, () -> EvaluationResult.fromJson(new byte[0]));
        assertThrows(RecordFormatException.class, () -> EvaluationResult.fromJson("null".getBytes()));
        assertThrows(RecordFormatException.class, () -> EvaluationResult.fromJson("[1]".getBytes()));
        // the sweep becomes a metric label: it must be an id, as a run spec's is
        String json = new String(result.toJson());
        assertThrows(
                RecordFormatException.class,
                () -> EvaluationResult.fromJson(
                        json.replace("sweep-a", "a\\\"}{").getBytes()));
        assertThrows(
                RecordFormatException.class,
                () -> EvaluationResult.fromJson(json.replace("0.91", "\"NaN\"").getBytes()));
    }

    @Test
    void resultsAndManifestsWrittenBeforeSweepsReadAsRunsOfTheirOwn() {
        EvaluationResult result = new EvaluationResult(
                2,
                "run-1",
                null,
                "ck-1",
                "vgg11",
                "seed",
                3,
                189,
                0.91,
                0.3,
                Collections.nCopies(10, 0.9),
                new int[10][10],
                500,
                2.5,
                98L,
                99L);
        String v2 = new String(result.toJson()).replace("\"sweep\":null,", "");
        assertFalse(v2.contains("sweep"), v2);
        EvaluationResult read = EvaluationResult.fromJson(v2.getBytes());
        assertNull(read.sweep());
        assertEquals(0.91, read.accuracy());
        // every other field is still required: an old record is read, a truncated one is not
        assertThrows(
                RecordFormatException.class,
                () -> EvaluationResult.fromJson(
                        v2.replace("\"accuracy\":0.91,", "").getBytes()));

        byte[] bytes = new byte[10];
        String v1 = new String(EventJson.write(manifest("ck-1", bytes, 1))).replace("\"sweep\":null,", "");
        assertFalse(v1.contains("sweep"), v1);
        byte[] record = CheckpointRecordCodec.encode(manifest("ck-1", bytes, 1));
        byte[] old = new byte[5 + v1.length()];
        System.arraycopy(record, 0, old, 0, 5);
        System.arraycopy(v1.getBytes(), 0, old, 5, v1.length());
        CheckpointManifest m = (CheckpointManifest) CheckpointRecordCodec.decode(old);
        assertNull(m.sweep());
        assertEquals("ck-1", m.checkpointId());
    }

    /**
     * A CRC-valid chunk whose count field says 2^31-1 (24 bytes of payload on the wire) made the assembler allocate an
     * array of that many references: an OutOfMemoryError on every evaluator that read it. Now the count is a number,
     * refused when no checkpoint within the limit could have that many chunks, and nothing is allocated from it.
     */
    @Test
    void aChunkClaimingBillionsOfSiblingsAllocatesNothingFromTheClaim() {
        byte[] wire = CheckpointRecordCodec.encode(new CheckpointChunk("hostile", 0, Integer.MAX_VALUE, new byte[24]));
        CheckpointChunk decoded = (CheckpointChunk) CheckpointRecordCodec.decode(wire);
        CheckpointAssembler limited = new CheckpointAssembler(4, 1L << 20);
        CheckpointIntegrityException refused =
                assertThrows(CheckpointIntegrityException.class, () -> limited.accept(decoded));
        assertEquals(
                "checkpoint hostile: chunk 0 says 2147483647 chunks; a checkpoint within the limit of 1048576 bytes has at most 1048576 (one byte each)",
                refused.getMessage());

        // Within the limit's count, a claim of many chunks holds only what arrived.
        CheckpointAssembler roomy = new CheckpointAssembler(4, Integer.MAX_VALUE - 8);
        long before = usedHeap();
        for (int i = 0; i < 3; i++) {
            roomy.accept(new CheckpointChunk("claims-a-lot", i, Integer.MAX_VALUE - 8, new byte[24]));
        }
        assertTrue(usedHeap() - before < 64L << 20, "holding three 24-byte chunks costs far less than 64 MiB");
        CheckpointIntegrityException incomplete = assertThrows(
                CheckpointIntegrityException.class,
                () -> roomy.accept(new CheckpointManifest(
                        CheckpointManifest.SCHEMA_VERSION,
                        "claims-a-lot",
                        "r",
                        null,
                        "vgg11",
                        "batchnorm",
                        "CFTC",
                        0,
                        0,
                        0.0,
                        72,
                        Integer.MAX_VALUE - 8,
                        "0".repeat(64),
                        List.of(),
                        0L)));
        assertEquals(
                "checkpoint claims-a-lot of run r: chunk 3 of 2147483639 is missing (incomplete checkpoint)",
                incomplete.getMessage());
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
