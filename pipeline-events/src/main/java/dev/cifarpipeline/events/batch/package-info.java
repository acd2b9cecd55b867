/**
 * The augmented batch stream: {@code AugmentedBatch} records, their versioned binary codec (CRC-32C, lengths
 * bounded before allocation), the batch kinds and the epoch markers that say where each epoch starts. Depends on
 * the root package only.
 */
package dev.cifarpipeline.events.batch;
