/**
 * Scoring without Kafka or Quarkus: the cached test set and a checkpoint's accuracy, loss, per-class accuracy and
 * confusion matrix on it, and the priority of the stream's scoring over requests'. Depends on the model and events
 * modules only.
 */
package dev.cifarpipeline.evaluator.scoring;
