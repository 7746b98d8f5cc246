package dev.arbooth.train;

import java.util.List;
import java.util.Objects;

/**
 * Everything a personalization fit does, with ARBooth's defaults ({@link #arbooth()}): the identifier, the
 * training prompts, which tensors train ({@link Tuning}, optionally through {@link LoraOptions LoRA}), the scale
 * weights of the cross-entropy, prior distillation, bitwise self-correction, drop-path and condition dropout, the
 * optimizer, the step count, the batch size and the seed. Immutable; derive variants with {@link #toBuilder()}.
 *
 * <pre>{@code
 * FitOptions options = FitOptions.arbooth().toBuilder()
 *         .steps(200)
 *         .tuning(Tuning.CROSS_ATTENTION_AND_FFN)
 *         .lora(LoraOptions.rank(4))
 *         .seed(7)
 *         .build();
 * }</pre>
 *
 * <p>Prompt templates hold {@value #IDENTIFIER_SLOT} and {@value #CLASS_SLOT}, replaced by the identifier and the
 * class word.
 *
 * @param identifier the placeholder token of prompts, non-blank, without whitespace
 * @param identifierRows P, the rows of the learned identifier embedding, at least 1
 * @param identifierInitStd the standard deviation of its initial values (0: zeros, as ARBooth's code)
 * @param promptTemplates the subject prompts, each with both slots
 * @param classPromptTemplate the class prompt of prior distillation, with the class slot only
 * @param tuning the trained tensors
 * @param lora LoRA on the tuned linear layers, or null for dense tuning
 * @param scaleWeights the scale weights of the cross-entropy
 * @param distillation prior distillation
 * @param selfCorrection the strength of bitwise self-correction on the teacher-forcing inputs, in [0, 1) (0: off)
 * @param dropPath the drop-path rate, in [0, 1)
 * @param conditionDropout the rate of training with the empty prompt (so guidance works), in [0, 1)
 * @param optimizer AdamW
 * @param steps optimizer steps, at least 1
 * @param batchSize subject images per step, at least 1
 * @param seed the seed of every random choice of the fit
 */
public record FitOptions(
        String identifier,
        int identifierRows,
        double identifierInitStd,
        List<String> promptTemplates,
        String classPromptTemplate,
        Tuning tuning,
        LoraOptions lora,
        ScaleWeights scaleWeights,
        Distillation distillation,
        double selfCorrection,
        double dropPath,
        double conditionDropout,
        OptimizerOptions optimizer,
        int steps,
        int batchSize,
        long seed) {

    /** The identifier's slot in prompt templates. */
    public static final String IDENTIFIER_SLOT = "{identifier}";

    /** The class word's slot in prompt templates. */
    public static final String CLASS_SLOT = "{class}";

    /** ARBooth's placeholder token. */
    public static final String DEFAULT_IDENTIFIER = "<S*>";

    /**
     * Validates and copies.
     *
     * @param identifier non-blank, no whitespace
     * @param identifierRows at least 1
     * @param identifierInitStd finite, at least 0
     * @param promptTemplates at least one, each with both slots
     * @param classPromptTemplate the class slot, not the identifier slot
     * @param tuning not null
     * @param lora null, or not with {@link Tuning#IDENTIFIER_ONLY}
     * @param scaleWeights not null
     * @param distillation not null
     * @param selfCorrection in [0, 1)
     * @param dropPath in [0, 1)
     * @param conditionDropout in [0, 1)
     * @param optimizer not null
     * @param steps at least 1
     * @param batchSize at least 1
     * @param seed any
     * @throws IllegalArgumentException naming the option, the rule and the value
     */
    public FitOptions {
        Objects.requireNonNull(identifier, "identifier");
        Objects.requireNonNull(promptTemplates, "promptTemplates");
        Objects.requireNonNull(classPromptTemplate, "classPromptTemplate");
        Objects.requireNonNull(tuning, "tuning");
        Objects.requireNonNull(scaleWeights, "scaleWeights");
        Objects.requireNonNull(distillation, "distillation");
        Objects.requireNonNull(optimizer, "optimizer");
        promptTemplates = List.copyOf(promptTemplates);
        if (identifier.isBlank() || identifier.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(
                    "the identifier must be one non-blank token without whitespace, got '" + identifier + "'");
        }
        if (identifierRows < 1) {
            throw new IllegalArgumentException("identifierRows must be at least 1, got " + identifierRows);
        }
        if (!(identifierInitStd >= 0) || Double.isInfinite(identifierInitStd)) {
            throw new IllegalArgumentException(
                    "identifierInitStd must be finite and at least 0, got " + identifierInitStd);
        }
        if (promptTemplates.isEmpty()) {
            throw new IllegalArgumentException("give at least one subject prompt template");
        }
        for (String t : promptTemplates) {
            if (!t.contains(IDENTIFIER_SLOT) || !t.contains(CLASS_SLOT)) {
                throw new IllegalArgumentException(
                        "subject prompt template '" + t + "' must contain " + IDENTIFIER_SLOT + " and " + CLASS_SLOT);
            }
        }
        if (!classPromptTemplate.contains(CLASS_SLOT) || classPromptTemplate.contains(IDENTIFIER_SLOT)) {
            throw new IllegalArgumentException("the class prompt template '" + classPromptTemplate + "' must contain "
                    + CLASS_SLOT + " and not " + IDENTIFIER_SLOT);
        }
        if (lora != null && tuning == Tuning.IDENTIFIER_ONLY) {
            throw new IllegalArgumentException("LoRA needs tuned linear layers; tuning " + tuning + " trains none");
        }
        rate("selfCorrection", selfCorrection);
        rate("dropPath", dropPath);
        rate("conditionDropout", conditionDropout);
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
    }

    private static void rate(String name, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(name + " must lie in [0, 1), got " + v);
        }
    }

    /**
     * ARBooth's defaults for Infinity-2B: identifier {@code <S*>} with 4 zero-initialised rows, the prompt "a photo
     * of {@code <S*>} {@code class}", class prompt "a photo of {@code class}", cross-attention and FFN tuned, scale
     * weights 1.0 on the first 8 scales and 0.5 after, prior distillation ({@link Distillation#arbooth()}),
     * self-correction 0.3, drop-path 0.1, condition dropout 0.1, AdamW ({@link OptimizerOptions#arbooth()}), 500
     * steps of batch 2, seed 0.
     *
     * @return the options
     */
    public static FitOptions arbooth() {
        return new FitOptions(
                DEFAULT_IDENTIFIER,
                4,
                0.0,
                List.of("a photo of " + IDENTIFIER_SLOT + " " + CLASS_SLOT),
                "a photo of " + CLASS_SLOT,
                Tuning.CROSS_ATTENTION_AND_FFN,
                null,
                ScaleWeights.arbooth(),
                Distillation.arbooth(),
                0.3,
                0.1,
                0.1,
                OptimizerOptions.arbooth(),
                500,
                2,
                0L);
    }

    /**
     * The name of the bundled toy base ({@code dev.arbooth:arbooth-toybase}), whose preset is {@link #toyBase()}.
     */
    public static final String TOY_BASE_NAME = "arbooth-toybase";

    /**
     * The options a base is personalized with by default: {@link #toyBase()} for the bundled toy base (by its name,
     * {@value #TOY_BASE_NAME}), {@link #arbooth()} for any other base.
     *
     * @param base the base model
     * @return the options
     */
    public static FitOptions defaultsFor(dev.arbooth.base.BaseModel base) {
        Objects.requireNonNull(base, "base");
        return TOY_BASE_NAME.equals(base.name()) ? toyBase() : arbooth();
    }

    /**
     * The preset of the bundled toy base, chosen by measurement on its demo subjects ({@code docs/toy-model.md},
     * "Personalization on it"): ARBooth's method and switches, with prompts in the toy world's caption grammar
     * (subject prompt "a {@code <S*>} dog", class prompt "a dog": the base never saw "a photo of", and with that
     * template the class prompt's samples fell apart after the fit) and the budget of a small model: {@value
     * #TOY_STEPS} steps of batch {@value #TOY_BATCH}, AdamW learning rate {@value #TOY_LEARNING_RATE} (ARBooth's
     * betas, epsilon and weight decay). Its teacher samples on ONNX Runtime ({@link
     * TeacherKind#KV_CACHED_ONNX_RUNTIME}): at this size the DJL teacher's sampling is a third of a prior step, and
     * the fit ran 1.20–1.27× faster ({@code docs/benchmarks.md}, "The teacher on ONNX Runtime"). Prior distillation
     * also distils the unconditional branch ({@link Distillation#withUnconditional}): with ARBooth's conditional-only
     * KL the class prompt's samples at the default cfg turned to noise after the fit on every demo subject ({@code
     * docs/toy-model.md}, "Language drift under guidance").
     *
     * @return the options
     */
    public static FitOptions toyBase() {
        FitOptions a = arbooth();
        OptimizerOptions o = a.optimizer();
        return a.toBuilder()
                .promptTemplates(List.of("a " + IDENTIFIER_SLOT + " " + CLASS_SLOT))
                .classPromptTemplate("a " + CLASS_SLOT)
                .optimizer(new OptimizerOptions(TOY_LEARNING_RATE, o.beta1(), o.beta2(), o.eps(), o.weightDecay()))
                .steps(TOY_STEPS)
                .batchSize(TOY_BATCH)
                .distillation(a.distillation()
                        .withTeacher(TeacherKind.KV_CACHED_ONNX_RUNTIME)
                        .withUnconditional(true))
                .build();
    }

    /** Steps of {@link #toyBase()}. */
    public static final int TOY_STEPS = 200;

    /** Batch size of {@link #toyBase()}. */
    public static final int TOY_BATCH = 2;

    /**
     * Learning rate of {@link #toyBase()}: about 11× ARBooth's. On the bundled base's six demo subjects it kept the
     * subject's trait score of 1e-3 (0.315 against 0.324, the base's class prompt 0.131) and brought prompt fidelity
     * with the identifier within 8 points of the base's (0.470 against 0.554; 1e-3: 24 points below); a lower rate
     * (1.25e-4) lost trait score for no fidelity ({@code docs/toy-model.md}, "Personalization on it"). ARBooth's own
     * rate did not draw the subject within 500 steps on the project's first base.
     */
    public static final double TOY_LEARNING_RATE = 2.5e-4;

    /**
     * The subject prompts for a class word.
     *
     * @param classWord the class word (e.g. {@code dog})
     * @return each template with the identifier and the class word
     */
    public List<String> subjectPrompts(String classWord) {
        return promptTemplates.stream()
                .map(t -> t.replace(IDENTIFIER_SLOT, identifier).replace(CLASS_SLOT, classWord))
                .toList();
    }

    /**
     * The class prompt of prior distillation for a class word.
     *
     * @param classWord the class word
     * @return the class prompt
     */
    public String classPrompt(String classWord) {
        return classPromptTemplate.replace(CLASS_SLOT, classWord);
    }

    /**
     * A builder holding these options.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds {@link FitOptions}, starting from another instance (usually {@link #arbooth()}). */
    public static final class Builder {
        private String identifier;
        private int identifierRows;
        private double identifierInitStd;
        private List<String> promptTemplates;
        private String classPromptTemplate;
        private Tuning tuning;
        private LoraOptions lora;
        private ScaleWeights scaleWeights;
        private Distillation distillation;
        private double selfCorrection;
        private double dropPath;
        private double conditionDropout;
        private OptimizerOptions optimizer;
        private int steps;
        private int batchSize;
        private long seed;

        private Builder(FitOptions o) {
            identifier = o.identifier;
            identifierRows = o.identifierRows;
            identifierInitStd = o.identifierInitStd;
            promptTemplates = o.promptTemplates;
            classPromptTemplate = o.classPromptTemplate;
            tuning = o.tuning;
            lora = o.lora;
            scaleWeights = o.scaleWeights;
            distillation = o.distillation;
            selfCorrection = o.selfCorrection;
            dropPath = o.dropPath;
            conditionDropout = o.conditionDropout;
            optimizer = o.optimizer;
            steps = o.steps;
            batchSize = o.batchSize;
            seed = o.seed;
        }

        /**
         * Sets the identifier token.
         *
         * @param v the token
         * @return this
         */
        public Builder identifier(String v) {
            identifier = v;
            return this;
        }

        /**
         * Sets the identifier embedding's row count P.
         *
         * @param v at least 1
         * @return this
         */
        public Builder identifierRows(int v) {
            identifierRows = v;
            return this;
        }

        /**
         * Sets the identifier embedding's initial standard deviation (0: zeros).
         *
         * @param v at least 0
         * @return this
         */
        public Builder identifierInitStd(double v) {
            identifierInitStd = v;
            return this;
        }

        /**
         * Sets the subject prompt templates.
         *
         * @param v templates with both slots
         * @return this
         */
        public Builder promptTemplates(List<String> v) {
            promptTemplates = v;
            return this;
        }

        /**
         * Sets the class prompt template.
         *
         * @param v a template with the class slot
         * @return this
         */
        public Builder classPromptTemplate(String v) {
            classPromptTemplate = v;
            return this;
        }

        /**
         * Sets which tensors train.
         *
         * @param v the tuning
         * @return this
         */
        public Builder tuning(Tuning v) {
            tuning = v;
            return this;
        }

        /**
         * Sets LoRA (null: dense tuning).
         *
         * @param v the LoRA options or null
         * @return this
         */
        public Builder lora(LoraOptions v) {
            lora = v;
            return this;
        }

        /**
         * Sets the scale weights.
         *
         * @param v the weights
         * @return this
         */
        public Builder scaleWeights(ScaleWeights v) {
            scaleWeights = v;
            return this;
        }

        /**
         * Sets prior distillation.
         *
         * @param v the options
         * @return this
         */
        public Builder distillation(Distillation v) {
            distillation = v;
            return this;
        }

        /**
         * Sets the self-correction strength (0: off).
         *
         * @param v in [0, 1)
         * @return this
         */
        public Builder selfCorrection(double v) {
            selfCorrection = v;
            return this;
        }

        /**
         * Sets the drop-path rate.
         *
         * @param v in [0, 1)
         * @return this
         */
        public Builder dropPath(double v) {
            dropPath = v;
            return this;
        }

        /**
         * Sets the condition dropout rate.
         *
         * @param v in [0, 1)
         * @return this
         */
        public Builder conditionDropout(double v) {
            conditionDropout = v;
            return this;
        }

        /**
         * Sets the optimizer.
         *
         * @param v AdamW options
         * @return this
         */
        public Builder optimizer(OptimizerOptions v) {
            optimizer = v;
            return this;
        }

        /**
         * Sets the step count.
         *
         * @param v at least 1
         * @return this
         */
        public Builder steps(int v) {
            steps = v;
            return this;
        }

        /**
         * Sets the batch size.
         *
         * @param v at least 1
         * @return this
         */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /**
         * Sets the seed.
         *
         * @param v any
         * @return this
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the options
         * @throws IllegalArgumentException naming the option, the rule and the value
         */
        public FitOptions build() {
            return new FitOptions(
                    identifier,
                    identifierRows,
                    identifierInitStd,
                    promptTemplates,
                    classPromptTemplate,
                    tuning,
                    lora,
                    scaleWeights,
                    distillation,
                    selfCorrection,
                    dropPath,
                    conditionDropout,
                    optimizer,
                    steps,
                    batchSize,
                    seed);
        }
    }
}
