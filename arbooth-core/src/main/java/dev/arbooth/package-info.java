/**
 * ARBooth for Java: subject-driven image generation with Infinity, a visual autoregressive (next-scale)
 * model. Personalize a base model on a few photos of a subject, then generate that subject in new scenes.
 *
 * <p><b>Where to start.</b> Generating images: {@code dev.arbooth.runtime.Generator} (module {@code
 * dev.arbooth.runtime}) on a base model ({@link dev.arbooth.base.BaseModel}, a directory) and, optionally, an
 * adapter ({@link dev.arbooth.adapter.Adapter}, one file), with {@link dev.arbooth.sampling.SamplingOptions}.
 * Personalizing: {@code dev.arbooth.train} (module {@code dev.arbooth.train}). Photos in and images out: {@link
 * dev.arbooth.image}.
 *
 * <pre>{@code
 * try (Generator g = Generator.with(Adapter.load(Path.of("dog.arbooth.safetensors")), BaseModel.load(baseDir))) {
 *     g.sample("a sks dog on the beach").get(0).writePng(Path.of("beach.png"));
 * }
 * }</pre>
 *
 * <p><b>This package</b> holds the one unchecked exception hierarchy: every failure of the library is an {@link
 * dev.arbooth.ArboothException}; a malformed or unsafe file is a {@link dev.arbooth.FormatException} naming the
 * file and what was expected, an unusable photo an {@link dev.arbooth.InvalidImageException}, a checkpoint that
 * does not fit its configuration a {@link dev.arbooth.WeightBindingException} (every missing, unexpected and
 * misshapen tensor in one message), wrong tensor shapes a {@link dev.arbooth.ShapeMismatchException}.
 */
package dev.arbooth;
