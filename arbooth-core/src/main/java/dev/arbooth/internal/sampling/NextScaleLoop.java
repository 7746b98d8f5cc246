package dev.arbooth.internal.sampling;

import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.ScaleSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The engine-free loop of next-scale sampling (official {@code autoregressive_infer_cfg}, README 4.5): for
 * every scale, the engine's step ({@link ScaleStepper}), classifier-free guidance and temperature
 * ({@link ClassifierFreeGuidance}), seeded bit sampling ({@link BitSampler}), then the running code sum and
 * the next-scale input ({@link CodeAccumulator}). One loop serves every engine.
 *
 * <pre>{@code
 * NextScaleLoop loop = NextScaleLoop.create(schedule, B, d, BitSamplerOptions.of(3.0, 1.0, 1, 0.0, seed));
 * NextScaleResult r = loop.run(stepper);                 // stepper: DJL or ONNX Runtime, prompts bound
 * float[] images = r.decode(vaeDecoder);                 // (B, 3, H', W')
 * }</pre>
 *
 * <p>All buffers are allocated once; {@link #run} may be called again (the sampler's streams restart, so the
 * same stepper and options give the same bits). Not thread-safe.
 */
public final class NextScaleLoop {
    private final ScaleSchedule schedule;
    private final int batch;
    private final int d;
    private final BitSamplerOptions options;
    private final CodeAccumulator accumulator;
    private final BitSampler sampler;
    private final float[] logits_BnV;

    private NextScaleLoop(
            ScaleSchedule schedule,
            int batch,
            int d,
            BitSamplerOptions options,
            Resize nextInputResize,
            long firstStream) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.options = Objects.requireNonNull(options, "options");
        if (batch < 1 || d < 1) {
            throw new IllegalArgumentException("batch and d must be at least 1, got batch " + batch + ", d " + d);
        }
        this.batch = batch;
        this.d = d;
        this.accumulator = nextInputResize == null
                ? CodeAccumulator.create(schedule, batch, d)
                : CodeAccumulator.create(schedule, batch, d, nextInputResize);
        this.sampler = BitSampler.create(options, batch, firstStream);
        this.logits_BnV = new float
                [Math.multiplyExact(Math.multiplyExact(batch, schedule.last().tokens()), 2 * d)];
        for (int k = 0; k < schedule.size(); k++) {
            options.cfgAt(k); // fails early when per-scale values do not cover the schedule
            options.tauAt(k);
        }
    }

    /**
     * A loop computing what official inference computes (trilinear next-scale inputs).
     *
     * @param schedule the scale schedule
     * @param batch B, the prompts (not 2B)
     * @param d bits per token
     * @param options guidance, temperature, top-k/top-p and seed
     * @return the loop
     * @throws IndexOutOfBoundsException if per-scale cfg/τ values do not cover the schedule
     */
    public static NextScaleLoop create(ScaleSchedule schedule, int batch, int d, BitSamplerOptions options) {
        return new NextScaleLoop(schedule, batch, d, options, null, 0);
    }

    /**
     * A loop for rows {@code firstStream ..} of a larger batch sampled in parts (see {@link
     * BitSampler#create(BitSamplerOptions, int, long)}): the parts sample exactly the bits one loop over the
     * whole batch would, given the same logits.
     *
     * @param schedule the scale schedule
     * @param batch the rows of this part
     * @param d bits per token
     * @param options guidance, temperature, top-k/top-p and seed
     * @param firstStream the random stream of the part's first row
     * @return the loop
     */
    public static NextScaleLoop create(
            ScaleSchedule schedule, int batch, int d, BitSamplerOptions options, long firstStream) {
        return new NextScaleLoop(schedule, batch, d, options, null, firstStream);
    }

    /**
     * A loop with a chosen next-scale input resize ({@link Resize#AREA} for ARBooth's own inference).
     *
     * @param schedule the scale schedule
     * @param batch B
     * @param d bits per token
     * @param options guidance, temperature, top-k/top-p and seed
     * @param nextInputResize how the code sum is resized to the next scale
     * @return the loop
     */
    public static NextScaleLoop create(
            ScaleSchedule schedule, int batch, int d, BitSamplerOptions options, Resize nextInputResize) {
        return new NextScaleLoop(schedule, batch, d, options, Objects.requireNonNull(nextInputResize), 0);
    }

    /**
     * The schedule.
     *
     * @return the scale schedule
     */
    public ScaleSchedule schedule() {
        return schedule;
    }

    /**
     * The options.
     *
     * @return the sampling options
     */
    public BitSamplerOptions options() {
        return options;
    }

    /**
     * Samples every scale.
     *
     * @param stepper the engine step, prompts bound
     * @return the bits of every scale and the summed codes
     */
    public NextScaleResult run(ScaleStepper stepper) {
        return run(stepper, null);
    }

    /**
     * Samples every scale, reporting each to a listener.
     *
     * @param stepper the engine step, prompts bound
     * @param listener called after each scale, or {@code null}
     * @return the bits of every scale and the summed codes
     * @throws ShapeMismatchException if the stepper returns logits of the wrong size
     * @throws ArboothException if the stepper returns NaN or infinite logits
     */
    public NextScaleResult run(ScaleStepper stepper, ScaleListener listener) {
        Objects.requireNonNull(stepper, "stepper");
        accumulator.reset();
        sampler.reset();
        List<long[]> bits = new ArrayList<>(schedule.size());
        float[] input_Bnd = null;
        for (int k = 0; k < schedule.size(); k++) {
            int n = schedule.get(k).tokens();
            // 1. engine step: raw logits of the R rows
            float[] raw_RnV = stepper.step(k, input_Bnd);
            int half = batch * n * 2 * d;
            double cfg = options.cfgAt(k);
            if (raw_RnV == null || (raw_RnV.length != 2L * half && !(cfg == 1.0 && raw_RnV.length == half))) {
                throw ShapeMismatchException.of(
                        "raw logits of scale " + k,
                        new long[] {2L * batch, n, 2L * d},
                        new long[] {raw_RnV == null ? 0 : raw_RnV.length});
            }
            // 2. guidance and temperature; 3. bit sampling
            double tau = options.tauAt(k);
            ClassifierFreeGuidance.apply(raw_RnV, batch, n, 2 * d, cfg, tau, logits_BnV);
            long[] bits_BnD = new long[batch * n * d];
            try {
                sampler.sample(logits_BnV, n, d, bits_BnD, raw_RnV, cfg, tau);
            } catch (IllegalArgumentException e) {
                // guidance overflow is handled by the sampler; what is left are NaN or infinite raw logits
                throw new ArboothException(
                        "The model's raw logits of scale " + k + " are not finite (" + e.getMessage()
                                + "); the checkpoint or an adapter holds NaN or infinite weights, or the engine failed",
                        e);
            }
            if (listener != null) {
                listener.onScale(k, raw_RnV, logits_BnV, bits_BnD);
            }
            bits.add(bits_BnD);
            // 4. running code sum and the next scale's input
            accumulator.addBits(bits_BnD);
            input_Bnd = k < schedule.size() - 1 ? accumulator.nextInput() : null;
        }
        return new NextScaleResult(schedule, batch, d, bits, accumulator.summedCodes());
    }
}
