package dev.cifarpipeline.trainer.training;

import dev.cifarpipeline.events.checkpoint.CheckpointManifest;

/** A checkpoint ready to publish: its bytes and the manifest describing them. */
public record Checkpoint(CheckpointManifest manifest, byte[] bytes) {}
