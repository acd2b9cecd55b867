package dev.cifarpipeline.dataset;

import java.nio.file.Path;

/**
 * A dataset folder that cannot be used: the message names the path and what is wrong with it, because a
 * service stops at start with it and a person must be able to fix it from the message alone.
 */
public class DatasetLayoutException extends RuntimeException {
    private final Path path;

    public DatasetLayoutException(Path path, String problem) {
        super("CIFAR-10 dataset at " + path.toAbsolutePath() + ": " + problem);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
