/**
 * ARBooth train: the DJL (PyTorch) backend and the personalizer. Exports {@code dev.arbooth.train} (the fit
 * options); DJL types never appear in public signatures.
 */
module dev.arbooth.train {
    requires transitive dev.arbooth.core;
    requires ai.djl.api;
    requires ai.djl.pytorch_engine;
    requires transitive dev.arbooth.text;
    requires dev.arbooth.runtime;
    requires org.slf4j;
    requires com.google.common;

    exports dev.arbooth.train;
}
