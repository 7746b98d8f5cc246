/**
 * Base models: {@link dev.arbooth.base.BaseModel} describes a base as a directory holding its three checkpoints
 * (transformer, VAE, T5 text encoder), the tokenizer and a descriptor {@code arbooth-base.json} with the three
 * configurations and the scale schedule it generates with. Start with {@link
 * dev.arbooth.base.BaseModel#load(java.nio.file.Path)}; loading reads only the descriptor (strictly: every field
 * checked, errors name the file and the field) and checks that the referenced files exist.
 *
 * <pre>{@code
 * BaseModel base = BaseModel.load(Path.of("models/toy"));
 * base.imageSize();   // {256, 256}
 * }</pre>
 */
package dev.arbooth.base;
