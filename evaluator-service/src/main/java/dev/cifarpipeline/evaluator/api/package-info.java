/**
 * The evaluator's HTTP interface, the image input it accepts, its per-route body limits and the API token guard.
 * Depends on the service root, {@code results} and {@code scoring}.
 */
package dev.cifarpipeline.evaluator.api;
