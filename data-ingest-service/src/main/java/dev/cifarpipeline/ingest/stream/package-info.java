/**
 * The stream on Kafka: what is published and in which order, resuming where the topic ends, holding back until
 * the slowest run catches up. Depends on {@code augment}.
 */
package dev.cifarpipeline.ingest.stream;
