/**
 * The seed's augmentation (zero-pad 4, random crop, horizontal flip) and the per-epoch shuffle, deterministic in
 * the stream seed, epoch and image, and the batches built from them. Framework-free; depends on the dataset and
 * events modules only.
 */
package dev.cifarpipeline.ingest.augment;
