package dev.cifarpipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryReaderTest {
    @TempDir
    Path dir;

    @Test
    void syntheticDatasetRoundTripsThroughTheOfficialLayout() throws IOException {
        CifarDataset written = SyntheticCifar.write(dir.resolve(CifarBinaryLayout.FOLDER), 103, 21, 5);
        for (String name : CifarBinaryLayout.TRAIN_FILES) {
            long size = Files.size(dir.resolve(CifarBinaryLayout.FOLDER).resolve(name));
            assertEquals(0, size % 3073, name + " holds whole 3,073-byte records");
        }
        assertEquals(
                (103 + 21) * 3073L,
                Files.list(dir.resolve(CifarBinaryLayout.FOLDER))
                        .filter(p -> p.toString().endsWith(".bin"))
                        .mapToLong(p -> p.toFile().length())
                        .sum());
        CifarDataset read = CifarBinaryReader.read(dir); // the parent folder is accepted too
        assertArrayEquals(written.train().labels(), read.train().labels());
        assertArrayEquals(written.train().pixels(), read.train().pixels());
        assertArrayEquals(written.test().pixels(), read.test().pixels());
    }

    @Test
    void recordLayoutIsLabelThenRedGreenBluePlanes() throws IOException {
        CifarSplit one = new CifarSplit(new byte[] {7}, new byte[3072]);
        one.pixels()[0] = 11; // R(0,0)
        one.pixels()[1024] = 22; // G(0,0)
        one.pixels()[2048 + 33] = 33; // B(1,1)
        CifarBinaryWriter.write(dir, one, one);
        byte[] file = Files.readAllBytes(dir.resolve("test_batch.bin"));
        assertEquals(7, file[0]);
        assertEquals(11, file[1]);
        assertEquals(22, file[1 + 1024]);
        assertEquals(33, file[1 + 2048 + 33]);
    }

    @Test
    void generatorIsDeterministicBySeedAndBalancedEnough() {
        CifarSplit a = SyntheticCifar.generate(500, 42, false);
        assertArrayEquals(a.pixels(), SyntheticCifar.generate(500, 42, false).pixels());
        assertNotEquals(
                Arrays.hashCode(a.pixels()),
                Arrays.hashCode(SyntheticCifar.generate(500, 43, false).pixels()));
        int[] counts = new int[10];
        for (byte label : a.labels()) {
            counts[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(counts[c] > 25 && counts[c] < 80, "class " + c + " has " + counts[c] + " of 500 images");
        }
    }

    @Test
    void missingPathIsNamed() {
        Path missing = dir.resolve("no-such-folder");
        DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarBinaryReader.read(missing));
        assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void folderWithoutTheLayoutIsNamedWithWhatIsMissing() throws IOException {
        Files.writeString(dir.resolve("readme.txt"), "not cifar");
        DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarBinaryReader.read(dir));
        assertTrue(e.getMessage().contains("not an official CIFAR-10 layout"), e.getMessage());
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
    }

    @Test
    void truncatedFileIsReportedWithRecordAndOffset() throws IOException {
        SyntheticCifar.write(dir, 50, 10, 1);
        Path file = dir.resolve("data_batch_3.bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 100);
        }
        DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarBinaryReader.read(dir));
        assertTrue(e.getMessage().contains("data_batch_3.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("record 9 at byte offset 27657 is truncated"), e.getMessage());
    }

    @Test
    void labelOutOfRangeIsReportedWithRecordAndOffset() throws IOException {
        SyntheticCifar.write(dir, 50, 10, 1);
        Path file = dir.resolve("test_batch.bin");
        byte[] bytes = Files.readAllBytes(file);
        bytes[3 * 3073] = 10;
        Files.write(file, bytes);
        DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarBinaryReader.read(dir));
        assertTrue(
                e.getMessage().contains("test_batch.bin: record 3 at byte offset 9219 has label 10"), e.getMessage());
    }

    @Test
    void missingFileAndEmptyFileAreNamed() throws IOException {
        SyntheticCifar.write(dir, 50, 10, 1);
        Files.write(dir.resolve("data_batch_2.bin"), new byte[0]);
        assertTrue(assertThrows(DatasetLayoutException.class, () -> CifarBinaryReader.read(dir))
                .getMessage()
                .contains("data_batch_2.bin: file is empty"));
        Files.delete(dir.resolve("data_batch_5.bin"));
        Files.write(dir.resolve("data_batch_2.bin"), new byte[3073]);
        assertTrue(assertThrows(DatasetLayoutException.class, () -> CifarBinaryReader.read(dir))
                .getMessage()
                .contains("data_batch_5.bin: file is missing"));
    }
}
