/**
 * Checkpoints on Kafka: chunks and the manifest (SHA-256, per-epoch lineage), the record codec, splitting a
 * checkpoint into records and reassembling and verifying it with bounded memory. Depends on the root package only.
 */
package dev.cifarpipeline.events.checkpoint;
