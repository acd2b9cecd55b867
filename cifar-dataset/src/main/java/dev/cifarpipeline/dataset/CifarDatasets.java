package dev.cifarpipeline.dataset;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens CIFAR-10 in either official layout: the binary {@code cifar-10-batches-bin} or torchvision's pickled
 * {@code cifar-10-batches-py}, given the layout's folder itself or a folder that holds one of them.
 */
public final class CifarDatasets {
    private CifarDatasets() {}

    public static CifarDataset read(Path dir) {
        if (!Files.exists(dir)) {
            throw new DatasetLayoutException(dir, "the path does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetLayoutException(
                    dir,
                    "the path is a file, expected a folder holding " + CifarBinaryLayout.FOLDER + " or "
                            + CifarPickleReader.FOLDER);
        }
        if (Files.isRegularFile(dir.resolve(CifarPickleReader.TEST_FILE))
                || dir.getFileName() != null && dir.getFileName().toString().equals(CifarPickleReader.FOLDER)) {
            return CifarPickleReader.read(dir);
        }
        if (!Files.isRegularFile(dir.resolve(CifarBinaryLayout.TEST_FILE))
                && !Files.isDirectory(dir.resolve(CifarBinaryLayout.FOLDER))
                && Files.isDirectory(dir.resolve(CifarPickleReader.FOLDER))) {
            return CifarPickleReader.read(dir.resolve(CifarPickleReader.FOLDER));
        }
        return CifarBinaryReader.read(dir);
    }
}
