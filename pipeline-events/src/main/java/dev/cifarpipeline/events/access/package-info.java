/**
 * Who may change state through the services' HTTP interfaces: {@link ApiAccess}, the bearer token that the
 * trainers' and the evaluator's state-changing endpoints share. Depends only on the JDK.
 */
package dev.cifarpipeline.events.access;
