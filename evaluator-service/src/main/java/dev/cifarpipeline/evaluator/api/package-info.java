/**
 * The evaluator's HTTP interface and the image input it accepts. Depends on the service root, {@code results}
 * and {@code scoring}.
 */
package dev.cifarpipeline.evaluator.api;
