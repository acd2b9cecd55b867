package dev.cifarpipeline.dataset;

import java.nio.file.Path;

/** A CIFAR-10 dataset read from (or to be written to) {@code source} in the official binary layout. */
public record CifarDataset(Path source, CifarSplit train, CifarSplit test) {
}
