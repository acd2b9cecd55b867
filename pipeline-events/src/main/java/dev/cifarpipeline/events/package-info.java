/**
 * The pipeline's shared vocabulary: topic names ({@link Topics}), the JSON control and result events
 * (run specs, training events, evaluation results) and what every record format shares (the pixel geometry,
 * {@link RecordFormatException}, strict JSON). Depends on nothing of the project; every other package and module
 * depends on it.
 */
package dev.cifarpipeline.events;
