/**
 * The weight names and state dicts of the three networks: {@link dev.arbooth.internal.weights.InfinityTensor},
 * {@link dev.arbooth.internal.weights.InfinityPart} and {@link dev.arbooth.internal.weights.InfinityLinear} are the
 * one home of the Infinity transformer's official names, read by the network, adapters, trainable sets and LoRA
 * targets; {@code InfinityWeights}, {@code VaeWeights} and {@code T5Weights} give each network's expected state
 * dict and bind checkpoints strictly. Exported only to the engine modules.
 */
package dev.arbooth.internal.weights;
