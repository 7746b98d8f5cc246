package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import dev.arbooth.ArboothException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/** Host arrays to and from ONNX Runtime tensors. */
public final class OrtTensors {
    private OrtTensors() {}

    /**
     * A float32 tensor over a copy of the values.
     *
     * @param values row-major values
     * @param shape the shape
     * @return the tensor (the caller closes it)
     */
    public static OnnxTensor floats(float[] values, long... shape) {
        try {
            return OnnxTensor.createTensor(OrtSessions.environment(), FloatBuffer.wrap(values), shape);
        } catch (OrtException e) {
            throw new ArboothException("cannot create an ONNX Runtime tensor: " + e.getMessage(), e);
        }
    }

    /**
     * An int64 tensor over a copy of the values.
     *
     * @param values row-major values
     * @param shape the shape
     * @return the tensor (the caller closes it)
     */
    public static OnnxTensor longs(long[] values, long... shape) {
        try {
            return OnnxTensor.createTensor(OrtSessions.environment(), LongBuffer.wrap(values), shape);
        } catch (OrtException e) {
            throw new ArboothException("cannot create an ONNX Runtime tensor: " + e.getMessage(), e);
        }
    }

    /**
     * The values of a float32 output.
     *
     * @param value the output
     * @return a row-major copy
     */
    public static float[] read(OnnxValue value) {
        FloatBuffer b = ((OnnxTensor) value).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }
}
