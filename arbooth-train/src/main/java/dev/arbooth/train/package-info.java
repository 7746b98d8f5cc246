/**
 * Personalization options (ARBooth on DJL): start from {@link dev.arbooth.train.FitOptions#arbooth()}, which holds
 * ARBooth's defaults for every part of the method ({@link dev.arbooth.train.Tuning selective tuning}, {@link
 * dev.arbooth.train.ScaleWeights scale weights}, {@link dev.arbooth.train.Distillation prior distillation}, {@link
 * dev.arbooth.train.OptimizerOptions AdamW}), and change what an experiment needs with its builder. The personalizer
 * that runs them is the next piece of this package.
 */
package dev.arbooth.train;
