package dev.cifarpipeline.dataset;

import java.nio.file.Path;

/**
 * A CIFAR-10 dataset in memory.
 *
 * @param source the folder it was read from (or written to)
 * @param layout {@link CifarBinaryLayout#FOLDER} or {@link CifarPickleReader#FOLDER}
 * @param train  the 50,000 (or, synthetic, any number of) training images
 * @param test   the test images
 */
public record CifarDataset(Path source, String layout, CifarSplit train, CifarSplit test) {}
