package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.OptimizerOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * AdamW as ARBooth runs it (torch's single-tensor {@code _single_tensor_adamw}, amsgrad and maximize off): decoupled
 * weight decay first, on the old value, then the Adam step with bias corrections. Every scalar is computed in double
 * and rounded to float32 before use, in torch's order, so that the float32 results follow torch's (golden {@code
 * arbooth-train-set1}, README 3.4). State is keyed by the parameter's name, so it survives a resume.
 *
 * <p>A parameter without a gradient in a step is skipped entirely (no decay, no state change), as torch skips a
 * {@code grad = None} parameter. Each parameter is updated once per step (ARBooth's list names its identifier
 * embedding twice; the single update is the golden {@code alt_dedup} variant).
 */
public final class AdamW implements AutoCloseable {
    private double lrScale = 1;
    /** One parameter's state. */
    private static final class State {
        final NDArray expAvg;
        final NDArray expAvgSq;
        long step;

        State(NDArray expAvg, NDArray expAvgSq, long step) {
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            this.step = step;
        }
    }

    private final NDManager manager;
    private final OptimizerOptions hyper;
    private final Map<String, State> state = new LinkedHashMap<>();

    /**
     * An optimizer whose state lives in a sub-manager of {@code parent}.
     *
     * @param parent the manager the state's manager is attached to
     * @param hyper the hyper-parameters
     */
    public AdamW(NDManager parent, OptimizerOptions hyper) {
        this.manager = parent.newSubManager();
        this.hyper = Objects.requireNonNull(hyper, "hyper");
    }

    /**
     * One step over the parameters that have a gradient, updating them in place.
     *
     * @param params parameters by name
     * @param grads their gradients by name; a missing or null entry skips the parameter
     */
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads) {
        double lr = hyper.learningRate() * lrScale;
        float decay = (float) (1 - lr * hyper.weightDecay());
        float b1 = (float) hyper.beta1();
        float oneMinusB1 = (float) (1 - hyper.beta1());
        float b2 = (float) hyper.beta2();
        float oneMinusB2 = (float) (1 - hyper.beta2());
        float eps = (float) hyper.eps();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray g = grads.get(e.getKey());
            if (g == null) {
                continue;
            }
            NDArray p = e.getValue();
            State s = state.computeIfAbsent(e.getKey(), k -> new State(zeros(p), zeros(p), 0));
            s.step++;
            double bias1 = 1 - Math.pow(hyper.beta1(), s.step);
            double bias2Sqrt = Math.sqrt(1 - Math.pow(hyper.beta2(), s.step));
            float stepSize = (float) (-lr / bias1);
            try (NDManager scope = manager.newSubManager()) {
                NDArray gs = g.duplicate();
                gs.attach(scope);
                p.muli(decay);
                s.expAvg.muli(b1).addi(gs.mul(oneMinusB1));
                s.expAvgSq.muli(b2).addi(gs.mul(oneMinusB2).muli(gs));
                // results of ops on the state arrays belong to the state's manager: move them into this step's
                // scope, or every step leaks two parameter-sized arrays (the pretraining VAE ran out of memory)
                NDArray denom = s.expAvgSq.sqrt();
                denom.attach(scope);
                denom.divi((float) bias2Sqrt).addi(eps);
                NDArray update = s.expAvg.mul(stepSize);
                update.attach(scope);
                p.addi(update.divi(denom));
            }
        }
    }

    /**
     * Scales the learning rate of the following steps (a schedule's factor; 1 by default, which leaves every value
     * as torch's constant-rate AdamW computes it). Not part of the state: a schedule sets it before each step.
     *
     * @param factor positive
     */
    public void learningRateScale(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("learning-rate scale must be positive and finite, got " + factor);
        }
        this.lrScale = factor;
    }

    private NDArray zeros(NDArray like) {
        return manager.zeros(like.getShape(), like.getDataType());
    }

    /**
     * The state for a checkpoint: {@code exp_avg.<name>}, {@code exp_avg_sq.<name>} and {@code step.<name>}.
     *
     * @return host copies
     */
    public Map<String, Tensor> snapshot() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, State> e : state.entrySet()) {
            State s = e.getValue();
            long[] shape = s.expAvg.getShape().getShape();
            out.put("exp_avg." + e.getKey(), Tensor.ofFloats(s.expAvg.toFloatArray(), shape));
            out.put("exp_avg_sq." + e.getKey(), Tensor.ofFloats(s.expAvgSq.toFloatArray(), shape));
            out.put("step." + e.getKey(), Tensor.ofLongs(new long[] {s.step}, 1));
        }
        return out;
    }

    /**
     * Restores a {@link #snapshot()} (replacing any state).
     *
     * @param snapshot what {@link #snapshot()} returned
     */
    public void restore(Map<String, Tensor> snapshot) {
        state.values().forEach(s -> {
            s.expAvg.close();
            s.expAvgSq.close();
        });
        state.clear();
        for (Map.Entry<String, Tensor> e : snapshot.entrySet()) {
            if (!e.getKey().startsWith("step.")) {
                continue;
            }
            String name = e.getKey().substring("step.".length());
            Tensor m = snapshot.get("exp_avg." + name);
            Tensor v = snapshot.get("exp_avg_sq." + name);
            if (m == null || v == null) {
                throw new IllegalArgumentException("optimizer snapshot lacks the moments of " + name);
            }
            state.put(
                    name,
                    new State(
                            manager.create(m.toFloatArray(), new Shape(m.shape())),
                            manager.create(v.toFloatArray(), new Shape(v.shape())),
                            e.getValue().toLongArray()[0]));
        }
    }

    /**
     * The step count of a parameter.
     *
     * @param name the parameter
     * @return its steps so far (0 if never updated)
     */
    public long steps(String name) {
        State s = state.get(name);
        return s == null ? 0 : s.step;
    }

    @Override
    public void close() {
        manager.close();
    }
}
