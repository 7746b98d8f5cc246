/**
 * Text conditioning as data: {@link dev.arbooth.text.TextFeatures} holds the text encoder's features of a batch
 * of prompts, compactly (the rows of every prompt's tokens, concatenated without padding, and each prompt's
 * length). A generator computes them itself from prompts; hand it your own (for example from another encoder)
 * with {@code Generator.sample(TextFeatures, SamplingOptions)}.
 *
 * <pre>{@code
 * TextFeatures f = TextFeatures.of(Tensor.ofFloats(rows, 12, 2048), new int[] {5, 7});   // two prompts
 * }</pre>
 */
package dev.arbooth.text;
