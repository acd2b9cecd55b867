package dev.cifarpipeline.events;

/** A checkpoint whose bytes matched its manifest's size and SHA-256. */
public record VerifiedCheckpoint(CheckpointManifest manifest, byte[] bytes) {
}
