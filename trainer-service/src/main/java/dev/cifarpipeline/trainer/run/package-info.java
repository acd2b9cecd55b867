/**
 * One run on Kafka: its worker (recovery from the latest checkpoint, its own consumer group on the batch stream,
 * steps, checkpoints, events), the epoch markers it checks batches against, what a trainer's runs share, the outputs
 * (checkpoints, events, dead letters), its meters and progress bar. Depends on {@code training}.
 */
package dev.cifarpipeline.trainer.run;
