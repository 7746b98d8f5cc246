/**
 * ARBooth text: T5 tokenization through DJL's Hugging Face tokenizers binding (offline natives, no deep
 * learning engine) and the text-feature values the transformer consumes. Shared by the DJL trainer and the
 * ONNX Runtime generator.
 */
module dev.arbooth.text {
    requires transitive dev.arbooth.core;
    requires ai.djl.api;
    requires ai.djl.tokenizers;
    requires org.slf4j;

    exports dev.arbooth.text;
    exports dev.arbooth.text.internal to
            dev.arbooth.train,
            dev.arbooth.runtime;
}
