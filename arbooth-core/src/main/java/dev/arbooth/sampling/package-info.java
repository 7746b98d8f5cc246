/**
 * How images are sampled: {@link dev.arbooth.sampling.SamplingOptions}, an immutable record with the official
 * defaults ({@link dev.arbooth.sampling.SamplingOptions#defaults()}: guidance 4, temperature 0.5, top-k 900,
 * top-p 0.97, seed 0, one image per prompt) and a wither per knob; guidance and temperature may differ per scale.
 * The same seed gives the same images on every engine and platform.
 *
 * <pre>{@code
 * SamplingOptions o = SamplingOptions.defaults().withCfg(3.0).withSeed(42).withImagesPerPrompt(4);
 * }</pre>
 */
package dev.arbooth.sampling;
