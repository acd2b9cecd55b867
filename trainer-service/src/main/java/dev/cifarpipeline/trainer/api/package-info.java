/**
 * The trainers' HTTP interface ({@code POST/GET /trainer/runs}, stop), its bearer token, and the command that
 * submits a deployment's default run through it. Depends on the service root and {@code cluster}.
 */
package dev.cifarpipeline.trainer.api;
