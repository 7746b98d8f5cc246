package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.nn.InfinityKvCache;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.nn.InfinityStep;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.nn.LayerKv;
import dev.arbooth.internal.nn.Ops;
import dev.arbooth.internal.nn.TextLayout;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.Resize;
import dev.arbooth.internal.sampling.ScaleListener;
import dev.arbooth.internal.sampling.ScaleStepper;
import dev.arbooth.internal.weights.InfinityLinear;
import dev.arbooth.internal.weights.InfinityTensor;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.internal.weights.LoraFuse;
import dev.arbooth.runtime.internal.OrtInfinity;
import dev.arbooth.runtime.internal.OrtInfinityStepper;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.Distillation;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.LoraOptions;
import dev.arbooth.train.TeacherKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One ARBooth training iteration on DJL ({@code booth_trainer_final.py::train_step}; golden {@code
 * arbooth-train-set1}): the subject step (identifier rows inserted into the prompts, teacher-forced forward with
 * bitwise self-correction, scale-weighted bitwise CE, backward, AdamW) and the prior step (a frozen teacher samples
 * the class prompts, the student runs teacher-forced on the teacher's tokens, {@code lambda * KL}, backward, AdamW).
 *
 * <p><b>Parameters.</b> The student is the given model: its store gains the identifier embedding {@value
 * #IDENTIFIER_KEY} {@code (P, Ct5)} (and, with LoRA, the factors {@code K.lora_A} {@code (r, in)} and {@code
 * K.lora_B} {@code (out, r)} of every tuned linear layer {@code K.weight}); exactly the trainable set of the options
 * requires gradients, every other tensor stays bit-identical. The teacher reads the original values of the trained
 * base tensors from copies taken at {@link #create} (LoRA leaves the base tensors untouched, so it needs none).
 *
 * <p><b>Randomness.</b> Everything random in a step (self-correction flips, drop-path and condition-dropout masks,
 * the teacher's sampling) comes from Java generators seeded by the step's {@code stepSeed}; initial values (the
 * identifier rows at a non-zero std, LoRA's {@code A}) from the options' seed. DJL on CPU with one intra-op thread
 * is deterministic, so the same seeds give the same tensors bit for bit, also after {@link #restore}.
 *
 * <p>Not thread-safe. {@link #close()} frees the optimizer state and the teacher's copies and freezes the model's
 * store again (the added parameters stay in it).
 */
public final class ArboothIteration implements AutoCloseable {
    /** The name of the identifier embedding (ARBooth's {@code special_token}). */
    public static final String IDENTIFIER_KEY = "special_token";

    /** The parameter group of the identifier embedding. */
    public static final String IDENTIFIER_GROUP = "identifier";

    /** The parameter group of the LoRA factors. */
    public static final String LORA_GROUP = "lora";

    /** The prefix of optimizer state in {@link #snapshot()}. */
    public static final String ADAM_PREFIX = "adam.";

    /**
     * Above this estimate of a recorded pass's activations ({@link DjlInfinity#recordedPassBytes(InfinityConfig,
     * int, ScaleSchedule)}) the student's
     * passes are checkpointed block by block unless {@link #checkpointing} says otherwise: 1 GiB.
     */
    public static final long RECORDED_PASS_BUDGET = 1L << 30;

    private final DjlInfinity model;
    private final InfinityConfig config;
    private final InfinityNet net;
    private final FitOptions options;
    private final ScaleSchedule schedule;
    private final float[] tokenWeights;
    private final List<String> baseKeys;
    private final Set<String> loraTargets;
    private final List<String> loraFactors;
    private final NDManager teacherManager;
    private final Map<String, NDArray> originals = new LinkedHashMap<>();
    private final AdamW adam;
    private final boolean pretraining;
    private boolean doubleIdentifierUpdate;
    private Boolean checkpointing;
    private OrtInfinity ortTeacher;
    private Diagnostics diagnostics;
    private boolean closed;

    /** What the golden tests compare besides the parameters (package-private; off unless set). */
    static final class Diagnostics {
        float[] kvAfter;
        int[] lensAfter;
        float[] logits;
        Map<String, float[]> grads = new LinkedHashMap<>();
        TeacherSample teacher;
        float[] klPerToken;
    }

    private ArboothIteration(DjlInfinity model, FitOptions options, ScaleSchedule schedule, boolean pretraining) {
        this.model = model;
        this.pretraining = pretraining;
        this.config = model.config();
        this.net = model.net();
        this.options = options;
        this.schedule = config.requireCompatible(schedule);
        List<Integer> perScale = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        for (int k = 0; k < schedule.size(); k++) {
            perScale.add(schedule.get(k).tokens());
            weights.add((float) options.scaleWeights().weight(k));
        }
        this.tokenWeights = ArboothLosses.tokenWeights(perScale, weights);
        List<String> tuned = pretraining
                ? InfinityWeights.expected(config).stream()
                        .map(TensorSpec::name)
                        .filter(k -> !InfinityWeights.isBuffer(k))
                        .toList()
                : TrainableSets.baseGroup(config, options.tuning()).keys();
        LoraOptions lora = options.lora();
        if (lora == null) {
            this.baseKeys = tuned;
            this.loraTargets = Set.of();
            this.loraFactors = List.of();
        } else {
            this.baseKeys = List.of();
            this.loraTargets =
                    new LinkedHashSet<>(InfinityWeights.linearWeights(config, TrainableSets.parts(options.tuning())));
            List<String> f = new ArrayList<>();
            for (String t : loraTargets) {
                f.add(LoraOps.factorA(t));
                f.add(LoraOps.factorB(t));
            }
            this.loraFactors = List.copyOf(f);
        }
        NDManager root = model.ops().manager();
        this.teacherManager = root.newSubManager();
        this.adam = new AdamW(root, options.optimizer());
    }

    /**
     * Prepares a model for training: adds the identifier embedding (and LoRA factors), chooses the trainable set,
     * copies the original values of the trained base tensors for the teacher.
     *
     * @param base the student; its store is modified in place (close this iteration before reusing it otherwise)
     * @param options the fit's options
     * @param identifierWidthCt5 the identifier rows' width: the text encoder's channels, {@code Ct5} of the base
     * @param schedule the scale schedule of the training images
     * @return the iteration
     * @throws IllegalArgumentException if the width is not the base's text width, or the schedule does not fit
     */
    public static ArboothIteration create(
            DjlInfinity base, FitOptions options, int identifierWidthCt5, ScaleSchedule schedule) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(schedule, "schedule");
        if (identifierWidthCt5 != base.config().textChannels()) {
            throw new IllegalArgumentException("identifier width " + identifierWidthCt5
                    + " differs from the base's text channels " + base.config().textChannels());
        }
        return initialised(new ArboothIteration(base, options, schedule, false));
    }

    /**
     * Prepares a model for pretraining from scratch with {@link #subjectStep}: every parameter of the transformer
     * trains (the unconditional rows {@code cfg_uncond} too, so that condition dropout teaches guidance), prompts
     * carry no identifier ({@link SubjectBatch#NO_IDENTIFIER}), no teacher copies are kept ({@link #priorStep} is
     * refused). The identifier embedding is still added to the store (unused, never updated); {@link #snapshot}
     * holds it.
     *
     * @param base the model at its initial weights; its store is modified in place
     * @param options self-correction, condition dropout, scale weights, optimizer and seed (LoRA must be off)
     * @param schedule the scale schedule of the training images
     * @return the iteration
     * @throws IllegalArgumentException if the options ask for LoRA or the schedule does not fit
     */
    public static ArboothIteration pretraining(DjlInfinity base, FitOptions options, ScaleSchedule schedule) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(schedule, "schedule");
        if (options.lora() != null) {
            throw new IllegalArgumentException("pretraining trains every parameter; LoRA must be off");
        }
        return initialised(new ArboothIteration(base, options, schedule, true));
    }

    private static ArboothIteration initialised(ArboothIteration it) {
        try {
            it.initialise();
            return it;
        } catch (RuntimeException e) {
            it.close();
            throw e;
        }
    }

    private void initialise() {
        DjlParameters p = model.parameters();
        SplittableRandom init = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        int rows = options.identifierRows();
        int width = config.textChannels();
        float[] identifier = new float[rows * width];
        if (options.identifierInitStd() > 0) {
            SplittableRandom r = init.split();
            for (int i = 0; i < identifier.length; i++) {
                identifier[i] = (float) (options.identifierInitStd() * r.nextGaussian());
            }
        }
        put(p, IDENTIFIER_KEY, Tensor.ofFloats(identifier, rows, width));
        if (options.lora() != null) {
            int r = options.lora().rank();
            SplittableRandom lr = init.split();
            for (String t : loraTargets) {
                long[] shape = p.get(t).getShape().getShape();
                int out = Math.toIntExact(shape[0]);
                int in = Math.toIntExact(shape[1]);
                float[] a = new float[r * in];
                double bound = 1.0 / Math.sqrt(in); // kaiming-uniform(a=sqrt(5)) of a (r, in) weight, as peft
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (bound * (2 * lr.nextDouble() - 1));
                }
                put(p, LoraOps.factorA(t), Tensor.ofFloats(a, r, in));
                put(p, LoraOps.factorB(t), Tensor.ofFloats(new float[out * r], out, r));
            }
        }
        List<DjlParameters.Group> groups = new ArrayList<>();
        groups.add(new DjlParameters.Group(IDENTIFIER_GROUP, List.of(IDENTIFIER_KEY)));
        if (!baseKeys.isEmpty()) {
            groups.add(new DjlParameters.Group(TrainableSets.BASE_GROUP, baseKeys));
        }
        if (!loraFactors.isEmpty()) {
            groups.add(new DjlParameters.Group(LORA_GROUP, loraFactors));
        }
        p.train(groups);
        for (String key : pretraining ? List.<String>of() : baseKeys) {
            NDArray copy = p.get(key).duplicate();
            copy.attach(teacherManager);
            copy.setRequiresGradient(false);
            originals.put(key, copy);
        }
    }

    private static void put(DjlParameters p, String key, Tensor value) {
        if (p.contains(key)) {
            p.restore(Map.of(key, value)); // a store reused by another iteration: start again from the initial value
        } else {
            p.add(key, value);
        }
    }

    /**
     * The scale schedule.
     *
     * @return the schedule of the training images
     */
    public ScaleSchedule schedule() {
        return schedule;
    }

    /**
     * The options.
     *
     * @return the fit's options
     */
    public FitOptions options() {
        return options;
    }

    // ------------------------------------------------------------------------ step 1

    /**
     * Step 1: the identifier rows replace each prompt's placeholder row, the teacher-forced forward runs on the
     * ground-truth bits (with bitwise self-correction, drop-path and condition dropout as the options say), the
     * scale-weighted bitwise CE is back-propagated and AdamW takes one step.
     *
     * @param batch the subject prompts and bits
     * @param stepSeed the seed of this step's randomness
     * @return the loss and the mean token CE per scale
     * @throws ShapeMismatchException if the batch does not fit the model or the schedule
     */
    public StepLosses subjectStep(SubjectBatch batch, long stepSeed) {
        ensureOpen();
        int b = batch.batch();
        int l = schedule.totalTokens();
        int d = config.bitsPerToken();
        int ct5 = config.textChannels();
        int n = sum(batch.lens());
        if (batch.text_NCt5().length != (long) n * ct5) {
            throw ShapeMismatchException.of(
                    "subject text_NCt5", new long[] {n, ct5}, new long[] {batch.text_NCt5().length});
        }
        if (batch.gtBits_BLd().length != (long) b * l * d) {
            throw ShapeMismatchException.of("gtBits_BLd", new long[] {b, l, d}, new long[] {batch.gtBits_BLd().length});
        }
        SplittableRandom root = new SplittableRandom(stepSeed);
        SplittableRandom flips = root.split();
        SplittableRandom dropPath = root.split();
        SplittableRandom condDrop = root.split();

        long[] gt_BLd = new long[batch.gtBits_BLd().length];
        for (int i = 0; i < gt_BLd.length; i++) {
            gt_BLd[i] = batch.gtBits_BLd()[i];
        }
        float[] x_BLd = SelfCorrection.inputs(schedule, b, d, scalesOf(gt_BLd, b), options.selfCorrection(), flips);
        int p = options.identifierRows();
        int[] lensAfter = new int[b];
        boolean[] dropped = new boolean[b];
        boolean identifierUsed = false;
        for (int i = 0; i < b; i++) {
            boolean withIdentifier = batch.identifierRow()[i] != SubjectBatch.NO_IDENTIFIER;
            lensAfter[i] = withIdentifier ? batch.lens()[i] + p - 1 : batch.lens()[i];
            dropped[i] = options.conditionDropout() > 0 && condDrop.nextDouble() < options.conditionDropout();
            if (dropped[i] && lensAfter[i] > config.textMaxLength()) {
                throw new IllegalArgumentException("prompt " + i + " has " + lensAfter[i]
                        + " text rows with the identifier, more than the " + config.textMaxLength()
                        + " unconditional rows condition dropout can substitute");
            }
            identifierUsed |= !dropped[i] && withIdentifier;
        }
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            Function<DjlOps, Ops<NDArray>> decorate = training(dropPath, b);
            Ops<NDArray> ops = decorate.apply(scope);
            NDArray gt = ops.constantLong(gt_BLd, b, l, d);
            NDArray weights = ops.constant(tokenWeights, l);
            float[][] tokenCe = new float[1][];
            InfinityText<NDArray> text = recorded(() -> {
                NDArray kv = identifierText(ops, batch, dropped);
                if (diagnostics != null) {
                    diagnostics.kvAfter = kv.toFloatArray();
                    diagnostics.lensAfter = lensAfter.clone();
                }
                return net.conditionText(ops, kv, lensAfter, TextLayout.PER_ROW);
            });
            // the forward and backward, block-checkpointed unless switched off (DjlInfinity.lossAndGradients)
            float loss = model.lossAndGradients(
                    scope,
                    text,
                    x_BLd,
                    schedule,
                    logits -> {
                        NDArray ce = ArboothLosses.tokenCrossEntropy(ArboothLosses.bitCrossEntropy(logits, gt));
                        tokenCe[0] = ce.toFloatArray();
                        if (diagnostics != null) {
                            diagnostics.logits = logits.toFloatArray();
                        }
                        return ArboothLosses.weightedCrossEntropy(ce, weights);
                    },
                    decorate,
                    checkpointed(b));
            Set<String> updated = new LinkedHashSet<>(baseKeys);
            updated.addAll(loraFactors);
            if (identifierUsed) {
                updated.add(IDENTIFIER_KEY);
            }
            optimizerStep(sub, updated, identifierUsed && doubleIdentifierUpdate);
            return new StepLosses(loss, perScale(tokenCe[0], b));
        }
    }

    /**
     * The text rows of the subject prompts with each placeholder row replaced by the P identifier rows (a
     * differentiable concatenation: the identifier's gradient is the sum over every inserted row); a prompt hit by
     * condition dropout gets {@code cfg_uncond[:len]} instead.
     */
    private NDArray identifierText(Ops<NDArray> ops, SubjectBatch batch, boolean[] dropped) {
        int ct5 = config.textChannels();
        NDArray identifier = ops.weight(IDENTIFIER_KEY);
        float[] text = batch.text_NCt5();
        List<NDArray> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < batch.batch(); i++) {
            int len = batch.lens()[i];
            int at = batch.identifierRow()[i];
            if (dropped[i]) {
                int rows = at == SubjectBatch.NO_IDENTIFIER ? len : len + options.identifierRows() - 1;
                parts.add(ops.slice(ops.weight(InfinityTensor.CFG_UNCOND.key()), 0, 0, rows));
            } else if (at == SubjectBatch.NO_IDENTIFIER) {
                parts.add(ops.constant(Arrays.copyOfRange(text, start * ct5, (start + len) * ct5), len, ct5));
            } else {
                if (at > 0) {
                    parts.add(ops.constant(Arrays.copyOfRange(text, start * ct5, (start + at) * ct5), at, ct5));
                }
                parts.add(identifier);
                int rest = len - at - 1;
                if (rest > 0) {
                    parts.add(ops.constant(
                            Arrays.copyOfRange(text, (start + at + 1) * ct5, (start + len) * ct5), rest, ct5));
                }
            }
            start += len;
        }
        return parts.size() == 1 ? parts.get(0) : ops.concat(0, parts);
    }

    // ------------------------------------------------------------------------ step 2

    /**
     * Step 2 (prior distillation): the frozen teacher samples the class prompts, the student runs teacher-forced
     * on the teacher's tokens with the class text, {@code lambda * KL(teacher || student)} is back-propagated and
     * AdamW takes one step (the identifier gets no gradient here and is skipped).
     *
     * @param batch the class prompts, one per sample
     * @param stepSeed the seed of this step's randomness
     * @return the loss and the mean token KL (without lambda) per scale; {@code null} when distillation is off
     */
    public StepLosses priorStep(ClassBatch batch, long stepSeed) {
        return priorStep(batch, stepSeed, null);
    }

    /**
     * The teacher's sample of a step's prior distillation, as {@link #priorStep(ClassBatch, long)} draws it: a pure
     * function of the frozen teacher, the class prompts and the step seed, so it may be drawn ahead (on ONNX
     * Runtime, while the student's subject step runs) and handed to {@link #priorStep(ClassBatch, long,
     * TeacherSample)}.
     *
     * @param batch the class prompts
     * @param stepSeed the step's seed
     * @return the sample
     */
    public TeacherSample teacherSampleOfStep(ClassBatch batch, long stepSeed) {
        return sampleTeacher(batch, new SplittableRandom(stepSeed).nextLong());
    }

    /**
     * Whether {@link #teacherSampleOfStep} may run on another thread while this iteration's steps run: only the
     * teacher on ONNX Runtime, whose sampling touches no DJL array once it is built.
     *
     * @return true for an enabled prior distillation with {@link TeacherKind#KV_CACHED_ONNX_RUNTIME}
     */
    public boolean teacherRunsApart() {
        return options.distillation().enabled()
                && options.distillation().teacher() == TeacherKind.KV_CACHED_ONNX_RUNTIME;
    }

    /**
     * Builds the ONNX Runtime teacher now, on the calling thread (it copies the base's original weights out of
     * DJL), so that {@link #teacherSampleOfStep} may then run on another thread. A no-op unless {@link
     * #teacherRunsApart()} or when the teacher exists already.
     *
     * @param intraOpThreads the teacher's ONNX Runtime intra-op threads (its share of the cores while it draws beside
     *     the student)
     */
    public void prepareTeacher(int intraOpThreads) {
        ensureOpen();
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be at least 1, got " + intraOpThreads);
        }
        if (teacherRunsApart()) {
            ortTeacher(intraOpThreads);
        }
    }

    /**
     * {@link #priorStep(ClassBatch, long)} with the teacher's sample drawn ahead: the same step, bit for bit, when
     * {@code drawn} is {@link #teacherSampleOfStep} of the same batch and seed.
     *
     * @param batch the class prompts
     * @param stepSeed the step's seed
     * @param drawn {@link #teacherSampleOfStep} of the same batch and seed, or null to draw it here
     * @return the loss and the mean token KL per scale; {@code null} when distillation is off
     */
    public StepLosses priorStep(ClassBatch batch, long stepSeed, TeacherSample drawn) {
        ensureOpen();
        Distillation dist = options.distillation();
        if (!dist.enabled()) {
            return null;
        }
        if (pretraining) {
            throw new IllegalStateException("a pretraining iteration has no teacher: the prior step is refused");
        }
        int b = batch.batch();
        int l = schedule.totalTokens();
        int d = config.bitsPerToken();
        int v = config.vocabSize();
        checkText("class text_NCt5", batch.text_NCt5(), batch.lens());
        SplittableRandom root = new SplittableRandom(stepSeed);
        root.nextLong(); // the teacher's sampling seed, taken by teacherSampleOfStep
        SplittableRandom dropPath = root.split();
        TeacherSample teacher = drawn != null ? drawn : teacherSampleOfStep(batch, stepSeed);
        Set<String> updated = new LinkedHashSet<>(baseKeys);
        updated.addAll(loraFactors);
        // with the unconditional branch distilled, the student's batch is [class rows; cfg_uncond rows] on the same
        // tokens twice (as the guided teacher ran), and the KL averages over all 2B sequences
        boolean uncond = dist.unconditional();
        int rows = uncond ? 2 * b : b;
        float[] teacherLogits =
                uncond ? concat(teacher.logits_BLV(), teacher.uncondLogits_BLV()) : teacher.logits_BLV();
        float[] input_BLd = uncond ? concat(teacher.nextInput_BLd(), teacher.nextInput_BLd()) : teacher.nextInput_BLd();
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            Function<DjlOps, Ops<NDArray>> decorate = training(dropPath, rows);
            Ops<NDArray> ops = decorate.apply(scope);
            DistillKl.Result[] kl = new DistillKl.Result[1];
            Function<NDArray, NDArray> lossOfLogits = logits -> {
                float[] student = logits.toFloatArray();
                kl[0] = DistillKl.of(teacherLogits, student, rows, v, dist.temperature(), dist.lambda());
                if (diagnostics != null) {
                    diagnostics.teacher = teacher;
                    diagnostics.logits = student;
                    diagnostics.klPerToken = kl[0].kl_BL();
                }
                // the exact gradient of the (double) loss w.r.t. the logits, back-propagated through the student
                return logits.mul(logits.getManager().create(kl[0].grad_BLV(), new Shape(rows, l, v)))
                        .sum();
            };
            Supplier<InfinityText<NDArray>> text = () -> {
                NDArray classRows = ops.constant(batch.text_NCt5(), sum(batch.lens()), config.textChannels());
                return uncond
                        ? net.conditionGuided(ops, classRows, batch.lens(), TextLayout.PER_ROW)
                        : net.conditionText(ops, classRows, batch.lens(), TextLayout.PER_ROW);
            };
            if (updated.isEmpty()) {
                lossOfLogits.apply(net.forward(ops, text.get(), ops.constant(input_BLd, rows, l - 1, d), schedule)
                        .logits_BLV());
            } else {
                model.lossAndGradients(
                        scope, recorded(text), input_BLd, schedule, lossOfLogits, decorate, checkpointed(rows));
            }
            if (!updated.isEmpty()) {
                optimizerStep(sub, updated, false);
            }
            return new StepLosses((float) kl[0].loss(), perScale(kl[0].kl_BL(), rows));
        }
    }

    /**
     * The frozen teacher's sampling of the class prompts with the options' teacher, cfg, τ, top-k and top-p
     * (core's sampler, seeded Java-side).
     *
     * @param batch the class prompts
     * @param seed the sampler's seed
     * @return the bits, raw logits and next-scale inputs
     */
    public TeacherSample sampleTeacher(ClassBatch batch, long seed) {
        ensureOpen();
        Distillation dist = options.distillation();
        int b = batch.batch();
        int l = schedule.totalTokens();
        int d = config.bitsPerToken();
        int v = config.vocabSize();
        boolean onOrt = dist.teacher() == TeacherKind.KV_CACHED_ONNX_RUNTIME;
        boolean cached = dist.teacher() != TeacherKind.ARBOOTH_NO_CACHE;
        // ARBooth's teacher runs without guidance whatever cfg says; the KV-cached one guides with cfg != 1, and runs
        // the unconditional rows also at cfg 1 when they are distilled (u + 1·(c − u) is c up to rounding)
        boolean guided = cached && (dist.cfg() != 1.0 || dist.unconditional());
        float[] uncond_BLV = dist.unconditional() ? new float[b * l * v] : null;
        BitSamplerOptions so =
                BitSamplerOptions.of(guided ? dist.cfg() : 1.0, dist.tau(), dist.topK(), dist.topP(), seed);
        NextScaleLoop loop = cached
                ? NextScaleLoop.create(schedule, b, d, so)
                : NextScaleLoop.create(schedule, b, d, so, Resize.AREA);
        float[] logits_BLV = new float[b * l * v];
        float[] next_BLd = new float[b * (l - 1) * d];
        ScaleListener keepLogits = (k, raw, guidedLogits, sampled) -> {
            int n = schedule.get(k).tokens();
            for (int r = 0; r < b; r++) {
                System.arraycopy(raw, r * n * v, logits_BLV, (r * l + schedule.offset(k)) * v, n * v);
                if (uncond_BLV != null) { // rows B..2B-1 of the guided pass: the unconditional ones
                    System.arraycopy(raw, (b + r) * n * v, uncond_BLV, (r * l + schedule.offset(k)) * v, n * v);
                }
            }
        };
        if (onOrt) {
            try (OrtInfinityStepper st = ortTeacher().stepper(batch.text_NCt5(), batch.lens(), schedule, guided)) {
                ScaleStepper recording = (k, input_Bnd) -> {
                    recordInput(k, input_Bnd, b, next_BLd);
                    return st.step(k, input_Bnd);
                };
                return new TeacherSample(loop.run(recording, keepLogits).bits(), logits_BLV, next_BLd, uncond_BLV);
            }
        }
        try (NDManager gen = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(gen);
            Ops<NDArray> ops = new TeacherOps(scope, originals);
            NDArray textRows = ops.constant(batch.text_NCt5(), sum(batch.lens()), config.textChannels());
            InfinityText<NDArray> text = guided
                    ? net.conditionGuided(ops, textRows, batch.lens())
                    : net.conditionText(ops, textRows, batch.lens());
            ScaleStepper stepper = new TeacherStepper(gen, text, cached, b, next_BLd);
            return new TeacherSample(loop.run(stepper, keepLogits).bits(), logits_BLV, next_BLd, uncond_BLV);
        }
    }

    /** Copies scale {@code k}'s next-scale input {@code (B, n, d)} into the teacher-forcing input {@code (B, L-1, d)}. */
    private void recordInput(int k, float[] input_Bnd, int batch, float[] next_BLd) {
        if (input_Bnd == null) {
            return;
        }
        int n = schedule.get(k).tokens();
        int d = config.bitsPerToken();
        int l = schedule.totalTokens();
        for (int r = 0; r < batch; r++) {
            System.arraycopy(input_Bnd, r * n * d, next_BLd, (r * (l - 1) + schedule.offset(k) - 1) * d, n * d);
        }
    }

    /**
     * The teacher on ONNX Runtime, built at first use from the base's original weights: the copies of the trained
     * tensors taken before training and every other (frozen) weight of the model.
     */
    private OrtInfinity ortTeacher() {
        return ortTeacher(DjlEngine.intraOpThreads());
    }

    private OrtInfinity ortTeacher(int intraOpThreads) {
        if (ortTeacher == null) {
            Map<String, Tensor> weights = new LinkedHashMap<>();
            for (TensorSpec spec : InfinityWeights.expected(config)) {
                NDArray original = originals.get(spec.name());
                weights.put(spec.name(), original != null ? DjlOps.toTensor(original) : model.weight(spec.name()));
            }
            ortTeacher = OrtInfinity.create(config, StateDict.of(weights), intraOpThreads);
        }
        return ortTeacher;
    }

    /**
     * The teacher's block-input sequence of a sample ({@code class_BLC}, before the level embedding): row 0 the SOS
     * vector {@code cond + pos_start}, rows of scale {@code k >= 1} {@code word_embed(nextInput)}. The student's
     * prior step computes the same rows inside its forward; this is for inspection.
     *
     * @param batch the class prompts the sample was drawn for
     * @param sample the teacher's sample
     * @return {@code (B, L, C)}
     */
    public float[] classSequence(ClassBatch batch, TeacherSample sample) {
        ensureOpen();
        int b = batch.batch();
        int l = schedule.totalTokens();
        int c = config.embedDim();
        try (NDManager sub = model.ops().manager().newSubManager()) {
            Ops<NDArray> ops = new TeacherOps(model.ops().scoped(sub), originals);
            InfinityText<NDArray> text = net.conditionText(
                    ops, ops.constant(batch.text_NCt5(), sum(batch.lens()), config.textChannels()), batch.lens());
            NDArray sos = ops.add(ops.reshape(text.cond_RC(), b, 1, c), ops.weight(InfinityTensor.POS_START.key()));
            NDArray emb = ops.linearLayer(
                    ops.constant(sample.nextInput_BLd(), b, l - 1, config.bitsPerToken()),
                    InfinityLinear.WORD_EMBED.key(),
                    ops.weight(InfinityTensor.WORD_EMBED_BIAS.key()));
            return ops.concat(1, List.of(sos, emb)).toFloatArray();
        }
    }

    /**
     * One scale of the teacher on DJL: KV-cached (official) or without context (ARBooth's). Each step's
     * intermediates live in a scope of their own; the text conditioning and the cache live in {@code gen}.
     */
    private final class TeacherStepper implements ScaleStepper {
        private final NDManager gen;
        private final InfinityText<NDArray> text;
        private final boolean cached;
        private final int batch;
        private final float[] next_BLd;
        private InfinityKvCache<NDArray> cache = InfinityKvCache.empty();

        TeacherStepper(NDManager gen, InfinityText<NDArray> text, boolean cached, int batch, float[] next) {
            this.gen = gen;
            this.text = text;
            this.cached = cached;
            this.batch = batch;
            this.next_BLd = next;
        }

        @Override
        public float[] step(int k, float[] input_Bnd) {
            int n = schedule.get(k).tokens();
            int d = config.bitsPerToken();
            int l = schedule.totalTokens();
            try (NDManager stepScope = gen.newSubManager()) {
                Ops<NDArray> ops = new TeacherOps(model.ops().scoped(stepScope), originals);
                NDArray x = null;
                if (input_Bnd != null) {
                    recordInput(k, input_Bnd, batch, next_BLd);
                    x = ops.constant(input_Bnd, batch, n, d);
                }
                if (!cached) {
                    return net.stepWithoutContext(ops, text, schedule, k, x).toFloatArray();
                }
                InfinityStep<NDArray> s = net.step(ops, text, schedule, k, x, cache);
                for (LayerKv<NDArray> kv : s.cache().layers()) {
                    kv.keys().attach(gen);
                    kv.values().attach(gen);
                }
                for (LayerKv<NDArray> kv : cache.layers()) {
                    kv.keys().close();
                    kv.values().close();
                }
                cache = s.cache();
                return s.logits_RnV().toFloatArray();
            }
        }
    }

    // ------------------------------------------------------------------------ shared

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * The student's training ops over a scope: LoRA, then drop-path masks drawn once for this pass (the same masks
     * in every scope, as block-checkpointing recomputes blocks in scopes of their own).
     */
    private Function<DjlOps, Ops<NDArray>> training(SplittableRandom rng, int rows) {
        Map<String, float[]> masks = new LinkedHashMap<>();
        if (options.dropPath() > 0) {
            int depth = config.depth();
            for (int i = 0; i < depth; i++) {
                // official: dpr = linspace(0, drop_path_rate, depth)
                double rate = depth == 1 ? 0 : options.dropPath() * i / (depth - 1);
                if (rate <= 0) {
                    continue;
                }
                float keep = (float) (1 - rate);
                for (InfinityLinear branch : new InfinityLinear[] {InfinityLinear.SA_PROJ, InfinityLinear.FFN_FC2}) {
                    float[] m = new float[rows];
                    for (int r = 0; r < rows; r++) {
                        m[r] = rng.nextDouble() < keep ? 1f / keep : 0f;
                    }
                    masks.put(branch.key(config, i), m);
                }
            }
        }
        return scope -> {
            Ops<NDArray> ops = scope;
            if (options.lora() != null) {
                ops = new LoraOps(ops, loraTargets, (float) options.lora().scale());
            }
            return masks.isEmpty() ? ops : new DropPathOps(ops, masks);
        };
    }

    /** Computes something inside a gradient collector (closed when it returns), so that its graph is recorded. */
    @SuppressWarnings("try")
    private <T> T recorded(Supplier<T> f) {
        try (GradientCollector gc = collector()) {
            return f.get();
        }
    }

    /**
     * Whether the student's passes use block-level checkpointing ({@link DjlInfinity#lossAndGradients}: the same
     * gradients, the memory of one block's graph instead of all, one more forward). By default a pass is
     * checkpointed when the recorded one would keep more than {@link #RECORDED_PASS_BUDGET} bytes ({@link
     * DjlInfinity#recordedPassBytes(InfinityConfig, int, ScaleSchedule)}): small models (the toy and golden ones) run recorded, which saves the extra
     * forward and most of the per-op overhead; Infinity-sized ones are checkpointed.
     *
     * @param on whether to checkpoint; {@code null} for the default rule
     * @return this iteration
     */
    public ArboothIteration checkpointing(Boolean on) {
        this.checkpointing = on;
        return this;
    }

    /**
     * Whether a pass over {@code rows} rows is checkpointed: as set by {@link #checkpointing}, else by the default
     * rule.
     *
     * @param rows B
     * @return true to checkpoint
     */
    public boolean checkpointed(int rows) {
        return checkpointing != null
                ? checkpointing
                : DjlInfinity.recordedPassBytes(config, rows, schedule) > RECORDED_PASS_BUDGET;
    }

    /**
     * Scales the learning rate of the following steps (a schedule's factor, used by pretraining; ARBooth's fit keeps
     * a constant rate). See {@link AdamW#learningRateScale}.
     *
     * @param factor positive
     * @return this iteration
     */
    public ArboothIteration learningRateScale(double factor) {
        adam.learningRateScale(factor);
        return this;
    }

    private GradientCollector collector() {
        return model.ops().manager().getEngine().newGradientCollector();
    }

    /** One AdamW step over the parameters that received a gradient, then their gradients are zeroed. */
    private void optimizerStep(NDManager sub, Set<String> updated, boolean identifierTwice) {
        DjlParameters p = model.parameters();
        Map<String, NDArray> params = new LinkedHashMap<>();
        Map<String, NDArray> grads = new LinkedHashMap<>();
        for (String key : updated) {
            NDArray w = p.get(key);
            NDArray g = w.getGradient();
            g.attach(sub);
            params.put(key, w);
            grads.put(key, g);
        }
        if (diagnostics != null) {
            diagnostics.grads = new LinkedHashMap<>();
            grads.forEach((k, g) -> diagnostics.grads.put(k, g.toFloatArray()));
        }
        adam.step(params, grads);
        if (identifierTwice) {
            // ARBooth's AdamW list names the identifier twice: a second update with the same gradient and state
            adam.step(
                    Map.of(IDENTIFIER_KEY, params.get(IDENTIFIER_KEY)),
                    Map.of(IDENTIFIER_KEY, grads.get(IDENTIFIER_KEY)));
        }
        for (NDArray g : grads.values()) {
            g.subi(g);
        }
    }

    private float[] perScale(float[] perToken_BL, int b) {
        int l = schedule.totalTokens();
        float[] out = new float[schedule.size()];
        for (int k = 0; k < schedule.size(); k++) {
            double s = 0;
            for (int r = 0; r < b; r++) {
                for (int t = schedule.offset(k); t < schedule.offset(k + 1); t++) {
                    s += perToken_BL[r * l + t];
                }
            }
            out[k] = (float) (s / ((double) b * schedule.get(k).tokens()));
        }
        return out;
    }

    /** The bits of every scale, {@code (B, h_k, w_k, d)}, from the sequence-order bits {@code (B, L, d)}. */
    private List<long[]> scalesOf(long[] gt_BLd, int b) {
        int l = schedule.totalTokens();
        int d = config.bitsPerToken();
        List<long[]> out = new ArrayList<>();
        for (int k = 0; k < schedule.size(); k++) {
            Scale s = schedule.get(k);
            int per = s.tokens() * d;
            long[] bits = new long[b * per];
            for (int r = 0; r < b; r++) {
                System.arraycopy(gt_BLd, (r * l + schedule.offset(k)) * d, bits, r * per, per);
            }
            out.add(bits);
        }
        return out;
    }

    private void checkText(String what, float[] text, int[] lens) {
        int n = sum(lens);
        if (text.length != (long) n * config.textChannels()) {
            throw ShapeMismatchException.of(what, new long[] {n, config.textChannels()}, new long[] {text.length});
        }
    }

    private static int sum(int[] lens) {
        int n = 0;
        for (int len : lens) {
            n = Math.addExact(n, len);
        }
        return n;
    }

    // ------------------------------------------------------------------------ state

    /**
     * What the adapter carries: every trained base tensor under its official name (with LoRA, the targeted
     * weights with {@code scale · B A} fused in by {@link LoraFuse}, the same bytes in every process) and the
     * identifier rows under {@value #IDENTIFIER_KEY}.
     *
     * @return host copies, in official order, the identifier last
     */
    public Map<String, Tensor> adapterTensors() {
        ensureOpen();
        DjlParameters p = model.parameters();
        Map<String, Tensor> out = new LinkedHashMap<>(p.snapshot(baseKeys));
        if (options.lora() != null) {
            for (String t : loraTargets) {
                Map<String, Tensor> w = p.snapshot(List.of(t, LoraOps.factorA(t), LoraOps.factorB(t)));
                out.put(
                        t,
                        LoraFuse.fuse(
                                t,
                                w.get(t),
                                w.get(LoraOps.factorA(t)),
                                w.get(LoraOps.factorB(t)),
                                options.lora().scale()));
            }
        }
        out.putAll(p.snapshot(List.of(IDENTIFIER_KEY)));
        return out;
    }

    /**
     * Everything a bit-exact resume needs: the trainable tensors (identifier, trained base tensors or LoRA
     * factors) under their names and the AdamW state under {@value #ADAM_PREFIX}{@code exp_avg.<name>}, {@code
     * exp_avg_sq.<name>}, {@code step.<name>}.
     *
     * @return host copies
     */
    public Map<String, Tensor> snapshot() {
        ensureOpen();
        Map<String, Tensor> out = new LinkedHashMap<>(model.parameters().snapshot(trainableKeys()));
        adam.snapshot().forEach((k, t) -> out.put(ADAM_PREFIX + k, t));
        return out;
    }

    /**
     * Restores a {@link #snapshot()}: the trainable tensors in place and the optimizer state.
     *
     * @param snapshot what {@link #snapshot()} returned (in this or an earlier process)
     * @throws IllegalArgumentException if a trainable tensor is missing or an entry is unknown
     */
    public void restore(Map<String, Tensor> snapshot) {
        ensureOpen();
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, Tensor> state = new LinkedHashMap<>();
        snapshot.forEach((k, t) -> {
            if (k.startsWith(ADAM_PREFIX)) {
                state.put(k.substring(ADAM_PREFIX.length()), t);
            } else {
                params.put(k, t);
            }
        });
        List<String> keys = trainableKeys();
        if (!params.keySet().equals(new LinkedHashSet<>(keys))) {
            Set<String> missing = new LinkedHashSet<>(keys);
            missing.removeAll(params.keySet());
            Set<String> unknown = new LinkedHashSet<>(params.keySet());
            unknown.removeAll(keys);
            throw new IllegalArgumentException(
                    "the snapshot does not fit this fit's trainable set: missing " + missing + ", unknown " + unknown);
        }
        model.parameters().restore(params);
        adam.restore(state);
    }

    private List<String> trainableKeys() {
        List<String> keys = new ArrayList<>();
        keys.add(IDENTIFIER_KEY);
        keys.addAll(baseKeys);
        keys.addAll(loraFactors);
        return keys;
    }

    /**
     * The AdamW step count of a parameter.
     *
     * @param name a trainable parameter
     * @return its updates so far
     */
    long optimizerSteps(String name) {
        return adam.steps(name);
    }

    /** The golden comparison's switch for ARBooth's double identifier update (default: once per step). */
    void doubleIdentifierUpdate(boolean on) {
        this.doubleIdentifierUpdate = on;
    }

    /** Turns on recording of intermediate values for tests. */
    Diagnostics recordDiagnostics() {
        diagnostics = new Diagnostics();
        return diagnostics;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ArboothIteration is closed");
        }
    }

    /** Frees the optimizer state and the teacher's copies; the model's store is frozen again. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                model.parameters().train(List.of());
            } catch (RuntimeException e) {
                throw new ArboothException("could not freeze the model after training: " + e.getMessage(), e);
            } finally {
                adam.close();
                teacherManager.close();
                if (ortTeacher != null) {
                    ortTeacher.close();
                }
            }
        }
    }
}
