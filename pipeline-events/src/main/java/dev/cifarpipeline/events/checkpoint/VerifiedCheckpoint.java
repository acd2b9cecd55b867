package dev.cifarpipeline.events.checkpoint;

/** A checkpoint whose bytes matched its manifest's size and SHA-256. */
public record VerifiedCheckpoint(CheckpointManifest manifest, byte[] bytes) {}
