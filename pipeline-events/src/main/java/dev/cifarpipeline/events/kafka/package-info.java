/**
 * Kafka plumbing every service shares: how each topic is created ({@code TopicSpec}), client settings and the
 * one consumer loop ({@code KafkaClients}), reading a topic to its end, dead-letter headers, and topic names as
 * configuration ({@code TopicDefaultsConfigSource}). Depends on the root and checkpoint packages (record limits).
 */
package dev.cifarpipeline.events.kafka;
