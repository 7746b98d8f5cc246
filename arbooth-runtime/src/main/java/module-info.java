/**
 * ARBooth runtime: ONNX graph emission and the ONNX Runtime generator. Exports the API package {@code
 * dev.arbooth.runtime} ({@link dev.arbooth.runtime.Device}); ONNX Runtime types never appear in public
 * signatures.
 */
module dev.arbooth.runtime {
    requires transitive dev.arbooth.core;
    requires transitive dev.arbooth.text;
    requires com.microsoft.onnxruntime;
    requires org.slf4j;
    requires com.google.gson;

    exports dev.arbooth.runtime;
    // the teacher of prior distillation samples through OrtInfinity
    exports dev.arbooth.runtime.internal to
            dev.arbooth.train;
}
