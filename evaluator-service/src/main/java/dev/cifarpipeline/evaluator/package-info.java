/**
 * The evaluator service: its lifecycle ({@link EvaluatorNode}), configuration, health, metrics and the test set's
 * listener. Sub-packages, each depending only on those listed after it: {@code api} (REST: results, best models,
 * predict, score), {@code stream} (the evaluators' group on the checkpoints topic, exactly-once results),
 * {@code results} (every result read back, each run's best model) and {@code scoring} (the framework-free
 * scoring of a checkpoint on the test set). {@code bench} holds the benchmarks.
 */
package dev.cifarpipeline.evaluator;
