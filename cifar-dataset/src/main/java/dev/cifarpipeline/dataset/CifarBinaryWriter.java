package dev.cifarpipeline.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a dataset in the official binary layout: training images spread over the five {@code data_batch_N.bin}
 * files as evenly as possible, the test split in {@code test_batch.bin}, class names in {@code batches.meta.txt}.
 * Files are written to temporary names and renamed, so a reader never sees half a file.
 */
public final class CifarBinaryWriter {
    private CifarBinaryWriter() {}

    public static Path write(Path folder, CifarSplit train, CifarSplit test) {
        try {
            Files.createDirectories(folder);
            int files = CifarBinaryLayout.TRAIN_FILES.size();
            int from = 0;
            for (int f = 0; f < files; f++) {
                int to = (int) ((long) train.size() * (f + 1) / files);
                writeRecords(folder.resolve(CifarBinaryLayout.TRAIN_FILES.get(f)), train, from, to);
                from = to;
            }
            writeRecords(folder.resolve(CifarBinaryLayout.TEST_FILE), test, 0, test.size());
            Path meta = folder.resolve(CifarBinaryLayout.META_FILE);
            Path tmp = folder.resolve(CifarBinaryLayout.META_FILE + ".tmp");
            Files.writeString(
                    tmp, String.join("\n", CifarBinaryLayout.CLASS_NAMES) + "\n\n", StandardCharsets.US_ASCII);
            Files.move(tmp, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CIFAR-10 binary layout to " + folder.toAbsolutePath(), e);
        }
    }

    private static void writeRecords(Path file, CifarSplit split, int from, int to) throws IOException {
        byte[] out = new byte[(to - from) * CifarBinaryLayout.RECORD_BYTES];
        for (int image = from, offset = 0; image < to; image++, offset += CifarBinaryLayout.RECORD_BYTES) {
            out[offset] = split.labels()[image];
            split.copyImage(image, out, offset + 1);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, out);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
