package dev.cifarpipeline.events.checkpoint;

/** What the checkpoints topic carries: the chunks of a checkpoint's bytes, then its manifest. */
public sealed interface CheckpointRecord permits CheckpointChunk, CheckpointManifest {
    String checkpointId();
}
