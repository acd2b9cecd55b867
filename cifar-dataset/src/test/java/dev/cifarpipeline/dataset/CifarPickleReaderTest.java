package dev.cifarpipeline.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CifarPickleReaderTest {
    @TempDir
    Path dir;

    @Test
    void python2StylePicklesRoundTripAndAreFoundFromTheParentFolder() {
        CifarSplit train = SyntheticCifar.generate(57, 4, false);
        CifarSplit test = SyntheticCifar.generate(13, 4, true);
        CifarPickleWriter.write(dir.resolve(CifarPickleReader.FOLDER), train, test);
        CifarDataset read = CifarDatasets.read(dir);
        assertEquals(CifarPickleReader.FOLDER, read.layout());
        assertArrayEquals(train.labels(), read.train().labels());
        assertArrayEquals(train.pixels(), read.train().pixels());
        assertArrayEquals(test.pixels(), read.test().pixels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"protocol2", "protocol4"})
    void picklesWrittenByPython3Load(String protocol) throws IOException {
        // tools/reference/py3_pickle_fixtures.py re-pickled SyntheticCifar(23 train, 7 test, seed 1) with Python 3
        Path folder = Files.createDirectories(dir.resolve(protocol));
        for (String name : new String[] {
            "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"
        }) {
            try (InputStream in = getClass().getResourceAsStream("/py3-pickles/" + protocol + "/" + name)) {
                Files.write(folder.resolve(name), in.readAllBytes());
            }
        }
        CifarDataset read = CifarPickleReader.read(folder);
        assertArrayEquals(
                SyntheticCifar.generate(23, 1, false).pixels(), read.train().pixels());
        assertArrayEquals(
                SyntheticCifar.generate(23, 1, false).labels(), read.train().labels());
        assertArrayEquals(
                SyntheticCifar.generate(7, 1, true).pixels(), read.test().pixels());
    }

    @Test
    void truncatedPickleNamesTheFile() throws IOException {
        CifarPickleWriter.write(dir, SyntheticCifar.generate(20, 1, false), SyntheticCifar.generate(5, 1, true));
        Path file = dir.resolve("data_batch_4");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarDatasets.read(dir));
        assertTrue(e.getMessage().contains("data_batch_4: not a readable pickle"), e.getMessage());
    }

    @Test
    void labelOutsideTheClassesNamesTheRecord() {
        CifarSplit train = SyntheticCifar.generate(20, 1, false);
        train.labels()[3] = 12;
        CifarPickleWriter.write(dir, SyntheticCifar.generate(20, 1, false), train);
        DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarDatasets.read(dir));
        assertTrue(e.getMessage().contains("test_batch: label of record 3 is 12"), e.getMessage());
    }

    @Test
    void aPickleThatIsNotADictIsRefused() throws IOException {
        CifarPickleWriter.write(dir, SyntheticCifar.generate(20, 1, false), SyntheticCifar.generate(5, 1, true));
        Files.write(dir.resolve("test_batch"), new byte[] {(byte) 0x80, 2, 'K', 5, '.'});
        DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarDatasets.read(dir));
        assertTrue(e.getMessage().contains("test_batch: the pickle holds a Integer, expected a dict"), e.getMessage());
    }

    @Test
    void aLengthBeyondTheFileIsRefusedBeforeItIsAllocated() throws IOException {
        CifarPickleWriter.write(dir, SyntheticCifar.generate(20, 1, false), SyntheticCifar.generate(5, 1, true));
        byte[][] bombs = {
            {(byte) 0x80, 3, 'B', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, '.'}, // BINBYTES of 2 GB
            {(byte) 0x80, 4, (byte) 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x40, '.'}, // BINBYTES8 of 2^62
            {(byte) 0x80, 2, 'X', 0, 0, 0, 0x40, '.'}, // BINUNICODE of 1 GB
        };
        for (byte[] bomb : bombs) {
            Files.write(dir.resolve("test_batch"), bomb);
            DatasetLayoutException e = assertThrows(DatasetLayoutException.class, () -> CifarDatasets.read(dir));
            assertTrue(e.getMessage().contains("bytes; the file has"), e.getMessage());
        }
    }
}
