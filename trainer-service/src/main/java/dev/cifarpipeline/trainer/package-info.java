/**
 * The trainer service: its lifecycle ({@link TrainerNode}), configuration ({@link TrainerConfig}) and health.
 * Sub-packages, each depending only on those listed after it: {@code api} (REST, token, the default run's
 * submitter), {@code cluster} (the trainers' group: claims, the runs hosted, placement, submission, the run
 * directory), {@code run} (one run's worker on Kafka: context, outputs, recovery, meters, progress) and
 * {@code training} (the framework-free training: step, SGD, OneCycle, presets, ledger, divergence, checkpoint
 * content). {@code bench} holds the benchmarks.
 */
package dev.cifarpipeline.trainer;
