/**
 * What has been scored: every result on the results topic (the log and the book), and each run's best checkpoint.
 * Depends on {@code scoring}.
 */
package dev.cifarpipeline.evaluator.results;
