package dev.cifarpipeline.dataset;

import dev.cifarpipeline.events.ImageGeometry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and validates a dataset in the official binary layout. Accepts either the {@code cifar-10-batches-bin}
 * folder itself or a folder that contains it. Every file must exist, hold a whole, non-zero number of
 * 3,073-byte records, and every label must be a class 0–9; the first violation is reported with the file and
 * the record and byte offset where it was found.
 */
public final class CifarBinaryReader {
    private CifarBinaryReader() {}

    public static CifarDataset read(Path dir) {
        Path root = locate(dir);
        List<byte[]> trainFiles = new ArrayList<>();
        for (String name : CifarBinaryLayout.TRAIN_FILES) {
            trainFiles.add(readRecords(root.resolve(name)));
        }
        CifarSplit train = split(trainFiles);
        CifarSplit test = split(List.of(readRecords(root.resolve(CifarBinaryLayout.TEST_FILE))));
        return new CifarDataset(root, CifarBinaryLayout.FOLDER, train, test);
    }

    /** The folder holding the batch files: {@code dir} itself or {@code dir/cifar-10-batches-bin}. */
    public static Path locate(Path dir) {
        if (!Files.exists(dir)) {
            throw new DatasetLayoutException(dir, "the path does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetLayoutException(
                    dir,
                    "the path is a file, expected a folder in the official binary layout (" + CifarBinaryLayout.FOLDER
                            + ")");
        }
        if (Files.isRegularFile(dir.resolve(CifarBinaryLayout.TEST_FILE))) {
            return dir;
        }
        Path nested = dir.resolve(CifarBinaryLayout.FOLDER);
        if (Files.isRegularFile(nested.resolve(CifarBinaryLayout.TEST_FILE))) {
            return nested;
        }
        throw new DatasetLayoutException(
                dir,
                "not an official CIFAR-10 layout: neither it nor " + CifarBinaryLayout.FOLDER
                        + "/ inside it holds " + CifarBinaryLayout.TEST_FILE + " and "
                        + String.join(", ", CifarBinaryLayout.TRAIN_FILES)
                        + ", and no " + CifarPickleReader.FOLDER + " (data_batch_1..5, test_batch) is there either");
    }

    private static byte[] readRecords(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetLayoutException(file, "file is missing");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > (long) CifarBinaryLayout.OFFICIAL_RECORDS_PER_FILE * CifarBinaryLayout.RECORD_BYTES) {
                throw new DatasetLayoutException(
                        file,
                        "file of " + size + " bytes holds more than the " + CifarBinaryLayout.OFFICIAL_RECORDS_PER_FILE
                                + " records of a CIFAR-10 batch file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetLayoutException(file, "cannot be read: " + e);
        }
        if (bytes.length == 0) {
            throw new DatasetLayoutException(file, "file is empty");
        }
        if (bytes.length % CifarBinaryLayout.RECORD_BYTES != 0) {
            int whole = bytes.length / CifarBinaryLayout.RECORD_BYTES;
            throw new DatasetLayoutException(
                    file,
                    "size " + bytes.length + " bytes is not a whole number of "
                            + CifarBinaryLayout.RECORD_BYTES + "-byte records: record " + whole + " at byte offset "
                            + (long) whole * CifarBinaryLayout.RECORD_BYTES + " is truncated");
        }
        for (int record = 0, offset = 0; offset < bytes.length; record++, offset += CifarBinaryLayout.RECORD_BYTES) {
            int label = Byte.toUnsignedInt(bytes[offset]);
            if (label >= ImageGeometry.CLASSES) {
                throw new DatasetLayoutException(
                        file,
                        "record " + record + " at byte offset " + offset + " has label " + label
                                + ", outside the classes 0-9");
            }
        }
        return bytes;
    }

    private static CifarSplit split(List<byte[]> files) {
        int count = 0;
        for (byte[] file : files) {
            count += file.length / CifarBinaryLayout.RECORD_BYTES;
        }
        byte[] labels = new byte[count];
        byte[] pixels = new byte[count * ImageGeometry.BYTES_PER_IMAGE];
        int image = 0;
        for (byte[] file : files) {
            for (int offset = 0; offset < file.length; offset += CifarBinaryLayout.RECORD_BYTES, image++) {
                labels[image] = file[offset];
                System.arraycopy(
                        file, offset + 1, pixels, image * ImageGeometry.BYTES_PER_IMAGE, ImageGeometry.BYTES_PER_IMAGE);
            }
        }
        return new CifarSplit(labels, pixels);
    }
}
