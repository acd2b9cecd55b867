/**
 * Training without Kafka or Quarkus: the DJL step, PyTorch's SGD and OneCycleLR, presets and settings, the batch
 * ledger and the stream check that guards it, the run limits, divergence, the checkpoint content and the device.
 * Depends on the model and events modules only.
 */
package dev.cifarpipeline.trainer.training;
