/**
 * Runs shared among trainers: the trainers' consumer group on the run-spec topic (claims), the runs this trainer
 * hosts, where a new run is placed, submitting and stopping runs, and the run directory read from Kafka. Depends
 * on {@code run} and {@code training}.
 */
package dev.cifarpipeline.trainer.cluster;
