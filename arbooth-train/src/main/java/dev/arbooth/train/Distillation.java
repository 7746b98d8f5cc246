package dev.arbooth.train;

/**
 * Prior distillation: a frozen teacher (the base) samples class prompts on the fly every step; the student runs
 * teacher-forced on the same tokens and is pulled toward the teacher's logits with {@code lambda * KL(teacher ||
 * student)} at a temperature, in an optimizer step of its own (as ARBooth).
 *
 * <p><b>Unconditional distillation</b> ({@link #withUnconditional}, not in ARBooth): the teacher also evaluates the
 * unconditional rows ({@code cfg_uncond}) on the tokens it samples, and the student is pulled toward those logits
 * too. ARBooth distils only the conditional branch, at cfg 1; but sampling guides with {@code u + cfg·(c − u)}, and
 * tuning cross-attention and FFN moves the unconditional prediction {@code u} as well, so that at cfg &gt; 1 the class
 * prompt can drift although its cfg-1 samples stay the teacher's ({@code docs/toy-model.md}). It costs the teacher a
 * guided (2B) pass and the student's prior step twice the batch.
 *
 * @param enabled whether the distillation step runs (off: an ablation)
 * @param lambda the loss weight, finite and at least 0
 * @param temperature the softmax temperature, positive and finite
 * @param samples class images the teacher samples per step, at least 1
 * @param cfg the teacher's guidance scale, finite and at least 0
 * @param tau the teacher's sampling temperature, positive and finite
 * @param topK the teacher's top-k, at least 0
 * @param topP the teacher's top-p, in [0, 1]
 * @param teacher how the teacher samples
 * @param unconditional whether the unconditional branch is distilled too (needs a KV-cached teacher)
 */
public record Distillation(
        boolean enabled,
        double lambda,
        double temperature,
        int samples,
        double cfg,
        double tau,
        int topK,
        double topP,
        TeacherKind teacher,
        boolean unconditional) {
    /**
     * Validates.
     *
     * @param enabled any
     * @param lambda finite, at least 0
     * @param temperature positive, finite
     * @param samples at least 1
     * @param cfg finite, at least 0
     * @param tau positive, finite
     * @param topK at least 0
     * @param topP in [0, 1]
     * @param teacher not null
     * @param unconditional only with a KV-cached teacher
     * @throws IllegalArgumentException naming the value
     */
    public Distillation {
        java.util.Objects.requireNonNull(teacher, "teacher");
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("distillation lambda must be finite and at least 0, got " + lambda);
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "distillation temperature must be positive and finite, got " + temperature);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("the teacher must sample at least 1 image per step, got " + samples);
        }
        if (!(cfg >= 0) || Double.isInfinite(cfg)) {
            throw new IllegalArgumentException("teacher cfg must be finite and at least 0, got " + cfg);
        }
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("teacher tau must be positive and finite, got " + tau);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("teacher top-k must be at least 0, got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("teacher top-p must lie in [0, 1], got " + topP);
        }
        if (unconditional && teacher == TeacherKind.ARBOOTH_NO_CACHE) {
            throw new IllegalArgumentException("unconditional distillation needs a KV-cached teacher (it reads the "
                    + "unconditional logits of the guided pass); " + teacher + " samples without guidance");
        }
    }

    /**
     * ARBooth's defaults: λ 0.5, temperature 1, 2 samples, cfg 1, τ 0.5, top-k 900, top-p 0.97, with the KV-cached
     * teacher, the conditional branch only.
     *
     * @return the options
     */
    public static Distillation arbooth() {
        return new Distillation(true, 0.5, 1.0, 2, 1.0, 0.5, 900, 0.97, TeacherKind.KV_CACHED, false);
    }

    /**
     * No distillation step (an ablation: language drift is then expected).
     *
     * @return the options with {@code enabled} false
     */
    public Distillation off() {
        return new Distillation(false, lambda, temperature, samples, cfg, tau, topK, topP, teacher, unconditional);
    }

    /**
     * The same with another teacher.
     *
     * @param kind the teacher
     * @return the options
     */
    public Distillation withTeacher(TeacherKind kind) {
        return new Distillation(enabled, lambda, temperature, samples, cfg, tau, topK, topP, kind, unconditional);
    }

    /**
     * The same, distilling the unconditional branch too or not (see the class description).
     *
     * @param v whether the unconditional logits are distilled as well
     * @return the options
     * @throws IllegalArgumentException if {@code v} and the teacher is {@link TeacherKind#ARBOOTH_NO_CACHE}
     */
    public Distillation withUnconditional(boolean v) {
        return new Distillation(enabled, lambda, temperature, samples, cfg, tau, topK, topP, teacher, v);
    }
}
