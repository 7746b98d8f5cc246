/**
 * The networks, written once against {@link dev.arbooth.internal.nn.Ops} and executed by each engine.
 * Exported only to the engine modules.
 */
package dev.arbooth.internal.nn;
