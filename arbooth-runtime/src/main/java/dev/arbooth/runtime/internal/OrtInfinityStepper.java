package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.sampling.ScaleStepper;
import dev.arbooth.runtime.internal.onnx.InfinityGraphs;
import java.util.HashMap;
import java.util.Map;

/**
 * The KV-cached step of next-scale sampling on ONNX Runtime ({@link ScaleStepper}): holds the prologue's
 * outputs (cond, AdaLN vectors, text bias, per-block cross-attention K/V) and the self-attention cache as
 * ONNX Runtime tensors between steps; the cache of scale k is the previous step's {@code present_*} outputs,
 * kept alive until the next step has run. Not thread-safe. Close idempotently.
 */
public final class OrtInfinityStepper implements ScaleStepper, AutoCloseable {
    private final StepSessions model;
    private final OrtSession.Result prologue;
    private final ScaleSchedule schedule;
    private final int rows;
    private final int batch;
    private OrtSession.Result previous;
    private boolean closed;

    /**
     * A stepper on a prologue's outputs.
     *
     * @param model where the step sessions come from (emitted graphs, or the files of an export)
     * @param prologue the prologue's outputs (owned: closed with this stepper)
     * @param schedule the scale schedule
     * @param rows R
     * @param batch B, the input rows
     */
    public OrtInfinityStepper(
            StepSessions model, OrtSession.Result prologue, ScaleSchedule schedule, int rows, int batch) {
        this.model = model;
        this.prologue = prologue;
        this.schedule = schedule;
        this.rows = rows;
        this.batch = batch;
    }

    /**
     * The rows this stepper runs.
     *
     * @return R (2B when guided, else B)
     */
    public int rows() {
        return rows;
    }

    /**
     * A prologue output by name (for checks), e.g. {@link InfinityGraphs#COND}.
     *
     * @param name the output's name
     * @return a copy of its values
     */
    public float[] prologueOutput(String name) {
        ensureOpen();
        return OrtTensors.read(prologue.get(name).orElseThrow());
    }

    @Override
    public float[] step(int k, float[] input_Bnd) {
        ensureOpen();
        if (k == 0) {
            dropCache();
        }
        int d = model.config().bitsPerToken();
        int depth = model.config().depth();
        int n = schedule.get(k).tokens();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        OnnxTensor x = null;
        try {
            for (String name : new String[] {InfinityGraphs.COND, InfinityGraphs.GSS, InfinityGraphs.TEXT_BIAS}) {
                inputs.put(name, (OnnxTensor) prologue.get(name).orElseThrow());
            }
            for (int i = 0; i < depth; i++) {
                inputs.put(InfinityGraphs.crossK(i), (OnnxTensor)
                        prologue.get(InfinityGraphs.crossK(i)).orElseThrow());
                inputs.put(InfinityGraphs.crossV(i), (OnnxTensor)
                        prologue.get(InfinityGraphs.crossV(i)).orElseThrow());
            }
            if (k > 0) {
                if (previous == null) {
                    throw new IllegalArgumentException("step " + k + " needs the cache of step " + (k - 1));
                }
                if (input_Bnd == null || input_Bnd.length != (long) batch * n * d) {
                    throw ShapeMismatchException.of("input_Bnd of scale " + k, new long[] {batch, n, d}, new long[] {
                        input_Bnd == null ? 0 : input_Bnd.length
                    });
                }
                x = OrtTensors.floats(input_Bnd, batch, n, d);
                inputs.put(InfinityGraphs.X, x);
                for (int i = 0; i < depth; i++) {
                    inputs.put(InfinityGraphs.pastK(i), tensor(previous, InfinityGraphs.presentK(i)));
                    inputs.put(InfinityGraphs.pastV(i), tensor(previous, InfinityGraphs.presentV(i)));
                }
            } else if (input_Bnd != null) {
                throw new IllegalArgumentException("scale 0 takes no input (its token is the SOS vector)");
            }
            OrtSession session = model.stepSession(schedule, k, rows, batch);
            OrtSession.Result r = session.run(inputs);
            float[] logits = OrtTensors.read(r.get(InfinityGraphs.LOGITS).orElseThrow());
            dropCache();
            previous = r;
            return logits;
        } catch (OrtException e) {
            throw new ArboothException("Infinity step " + k + " failed on ONNX Runtime: " + e.getMessage(), e);
        } finally {
            if (x != null) {
                x.close();
            }
        }
    }

    private static OnnxTensor tensor(OrtSession.Result r, String name) {
        OnnxValue v = r.get(name).orElseThrow();
        return (OnnxTensor) v;
    }

    private void dropCache() {
        if (previous != null) {
            previous.close();
            previous = null;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("stepper is closed");
        }
    }

    /** Frees the prologue outputs and the cache. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            dropCache();
            prologue.close();
        }
    }
}
