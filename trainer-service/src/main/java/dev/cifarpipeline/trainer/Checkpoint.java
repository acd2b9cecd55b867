package dev.cifarpipeline.trainer;

import dev.cifarpipeline.events.CheckpointManifest;

/** A checkpoint ready to publish: its bytes and the manifest describing them. */
public record Checkpoint(CheckpointManifest manifest, byte[] bytes) {
}
