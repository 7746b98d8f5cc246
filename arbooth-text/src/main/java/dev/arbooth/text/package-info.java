/**
 * Text input: {@link dev.arbooth.text.internal.T5Tokenizer} (a {@code tokenizer.json} through DJL's Hugging Face
 * tokenizers binding), {@link dev.arbooth.text.internal.TokenBatch} and {@link dev.arbooth.text.TextFeatures} (the
 * compact T5 features of a batch of prompts).
 */
package dev.arbooth.text;
