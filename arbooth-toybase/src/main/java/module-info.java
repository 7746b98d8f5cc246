/**
 * The SDK's bundled base model: a small Infinity-architecture transformer, BSQ VAE and T5 encoder with a word-level
 * tokenizer, trained by the project on the toy world ({@code docs/toy-model.md}). {@link
 * dev.arbooth.base.BaseModel#bundled()} finds it; {@link dev.arbooth.toybase.ToyBase} also loads it directly.
 */
module dev.arbooth.toybase {
    requires transitive dev.arbooth.core;

    exports dev.arbooth.toybase;

    provides dev.arbooth.base.BundledBaseProvider with
            dev.arbooth.toybase.ToyBase;
}
