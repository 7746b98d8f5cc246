/**
 * ARBooth runtime: ONNX graph emission and the ONNX Runtime generator (upcoming milestone). No API
 * package is exported yet; ONNX Runtime types never appear in public signatures.
 */
module dev.arbooth.runtime {
    requires transitive dev.arbooth.core;
    requires com.microsoft.onnxruntime;
}
