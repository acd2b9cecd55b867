/**
 * Checkpoints in, results out: the evaluators' consumer group on the checkpoints topic, reassembly with commits
 * held at the first chunk still pending, and results published in one transaction with the group's offsets.
 * Depends on {@code results} and {@code scoring}.
 */
package dev.cifarpipeline.evaluator.stream;
