package dev.arbooth.train.internal;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.AttentionChunks;
import dev.arbooth.internal.nn.BlockText;
import dev.arbooth.internal.nn.InfinityForward;
import dev.arbooth.internal.nn.InfinityKvCache;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.nn.InfinityStep;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.nn.LayerKv;
import dev.arbooth.internal.nn.Ops;
import dev.arbooth.internal.nn.SelfAttentionQkv;
import dev.arbooth.internal.nn.TeacherForcedTables;
import dev.arbooth.internal.sampling.ScaleStepper;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The Infinity transformer ({@link InfinityNet}) on DJL's PyTorch engine: strict loading, the teacher-forced
 * forward (autograd on the parameters its {@link DjlParameters store} trains) and the KV-cached
 * {@link ScaleStepper} of next-scale sampling.
 *
 * <pre>{@code
 * try (DjlInfinity model = DjlInfinity.load(InfinityConfig.goldenSet1(), path)) {
 *     try (DjlInfinity.Stepper s = model.stepper(text_NCt5, lens, schedule, true)) {
 *         NextScaleResult r = NextScaleLoop.create(schedule, lens.length, d, options).run(s);
 *     }
 * }
 * }</pre>
 *
 * <p>Every weight is materialised (float32) at load time, so the checkpoint file is closed when {@link #load}
 * returns. Not thread-safe. Close idempotently; use after close fails.
 */
public final class DjlInfinity implements AutoCloseable {
    private final InfinityConfig config;
    private final InfinityNet net;
    private final NDManager manager;
    private final DjlOps ops;
    private long attentionBudgetBytes = 1L << 30;
    private long recordedTailBytes = RECORDED_TAIL_BYTES;
    private boolean closed;

    /**
     * The default budget of {@link #recordedTailBudget}: 512 MiB, two more recorded blocks at the mid configuration
     * (B = 2: about 0.25 GB each by {@link #recordedPassBytes}).
     */
    public static final long RECORDED_TAIL_BYTES = 1L << 29;

    private DjlInfinity(InfinityConfig config, NDManager manager, DjlOps ops) {
        this.config = config;
        this.net = InfinityNet.of(config);
        this.manager = manager;
        this.ops = ops;
    }

    /**
     * Loads a checkpoint strictly ({@link InfinityWeights#bind}).
     *
     * @param config the architecture
     * @param checkpoint a {@code .safetensors} file or a PyTorch {@code .pth} checkpoint
     * @param dictPath for a {@code .pth}, the keys of the nested dict holding the state dict; none for the root
     * @return the model
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     * @throws dev.arbooth.FormatException if the file is not a valid checkpoint
     */
    public static DjlInfinity load(InfinityConfig config, Path checkpoint, String... dictPath) {
        try (CheckpointFile file = Checkpoints.open(checkpoint, dictPath)) {
            return create(config, file);
        }
    }

    /**
     * Binds weights strictly and materialises them.
     *
     * @param config the architecture
     * @param weights the state dict (read fully before this returns)
     * @return the model
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static DjlInfinity create(InfinityConfig config, StateDict weights) {
        InfinityNet.of(config); // rejects unsupported variants before anything is allocated
        Map<String, Tensor> bound = InfinityWeights.bind(config, weights);
        NDManager manager = DjlEngine.pytorch().newBaseManager();
        try {
            DjlParameters parameters =
                    DjlParameters.create(manager, StateDict.of(bound)).materialize(bound.keySet());
            return new DjlInfinity(config, manager, DjlOps.over(manager, parameters));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The architecture.
     *
     * @return the configuration
     */
    public InfinityConfig config() {
        return config;
    }

    /**
     * The network definition.
     *
     * @return the network
     */
    public InfinityNet net() {
        return net;
    }

    /**
     * The root ops (use {@link DjlOps#scoped} for intermediates).
     *
     * @return the ops
     */
    public DjlOps ops() {
        ensureOpen();
        return ops;
    }

    /**
     * The parameter store: every weight by official key, trainable sets, snapshot and restore.
     *
     * @return the store
     */
    public DjlParameters parameters() {
        ensureOpen();
        return ops.parameters();
    }

    /**
     * A weight as loaded (float32).
     *
     * @param name the official name
     * @return a host copy
     */
    public Tensor weight(String name) {
        ensureOpen();
        return DjlOps.toTensor(ops.weight(name));
    }

    /**
     * Text conditioning of compact prompts (README 4.1) in a scope.
     *
     * @param scope the ops whose manager owns the results
     * @param text_NCt5 the text features of every row's tokens concatenated, {@code (N, Ct5)} row-major
     * @param lens the token count of every row
     * @return the conditioning
     */
    public InfinityText<NDArray> conditionText(DjlOps scope, float[] text_NCt5, int[] lens) {
        ensureOpen();
        int n = sum(lens);
        if (text_NCt5.length != (long) n * config.textChannels()) {
            throw ShapeMismatchException.of(
                    "text_NCt5", new long[] {n, config.textChannels()}, new long[] {text_NCt5.length});
        }
        return net.conditionText(scope, scope.constant(text_NCt5, n, config.textChannels()), lens);
    }

    /**
     * The text conditioning of B prompts followed by their B unconditional rows ({@code cfg_uncond[:len_i]}),
     * the 2B rows of guided sampling (README 4.5 step 1).
     *
     * @param scope the ops whose manager owns the results
     * @param text_NCt5 the prompts' text features concatenated, {@code (N, Ct5)}
     * @param lens the prompts' token counts
     * @return the conditioning of 2B rows
     */
    public InfinityText<NDArray> conditionGuided(DjlOps scope, float[] text_NCt5, int[] lens) {
        ensureOpen();
        int n = sum(lens);
        if (text_NCt5.length != (long) n * config.textChannels()) {
            throw ShapeMismatchException.of(
                    "text_NCt5", new long[] {n, config.textChannels()}, new long[] {text_NCt5.length});
        }
        return net.conditionGuided(scope, scope.constant(text_NCt5, n, config.textChannels()), lens);
    }

    /**
     * The teacher-forced forward (README 4.2) in a scope; inside a {@code GradientCollector} it records the
     * graph for the trainable weights.
     *
     * @param scope the ops whose manager owns the results
     * @param text the conditioning of B rows
     * @param x_BLd the teacher-forcing input {@code (B, L-1, d)} row-major
     * @param schedule the scale schedule
     * @return the logits and intermediates
     */
    public InfinityForward<NDArray> forward(
            DjlOps scope, InfinityText<NDArray> text, float[] x_BLd, ScaleSchedule schedule) {
        ensureOpen();
        int l = schedule.totalTokens();
        long want = (long) text.rows() * (l - 1) * config.bitsPerToken();
        if (x_BLd.length != want) {
            throw ShapeMismatchException.of(
                    "x_BLd", new long[] {text.rows(), l - 1, config.bitsPerToken()}, new long[] {x_BLd.length});
        }
        return net.forward(scope, text, scope.constant(x_BLd, text.rows(), l - 1, config.bitsPerToken()), schedule);
    }

    /**
     * The teacher-forced loss and its gradients with block-level checkpointing (the memory-bounded training pass).
     * Leaves on every parameter that requires a gradient the gradient the recorded {@link #forward} and one
     * backward would leave ({@link #lossAndGradients(DjlOps, InfinityText, float[], ScaleSchedule, Function,
     * Function, boolean) checkpointed = false}), added to any gradient already there, and returns the loss.
     *
     * <p>How: the blocks but the last few run forward without recording, keeping only every block's input {@code
     * (B, L, C)}; then the last blocks ({@link #recordedTailBudget}: at least the last one) with the head and the
     * loss, each other block in reverse, the input embedding and the conditioning run again one at a time under a
     * {@code GradientCollector}, each from a leaf copy of its input, and back-propagate the gradient the segment
     * after it left on its output. Only the recorded tail's graph, or one block's, exists at a time, so the memory
     * of the backward is that of a few blocks' activations (without the fused attention also their attention
     * probabilities, {@code B·H·Σ n_k·offset(k+1)} floats each) plus the {@code depth} hidden states, instead of
     * every block's. Costs one more forward of the blocks before the recorded tail.
     *
     * <p>The conditioning may carry a recorded graph (for instance identifier rows that require gradients, computed
     * inside a {@code GradientCollector} closed before this call): the gradients of its pooled vector, AdaLN output
     * and cross-attention K/V source are back-propagated through it at the end. Every block's cross-attention keys
     * and values are recomputed from {@link InfinityText#caKv_NC} inside the block's segment, so {@code ca.mat_kv}
     * trains as in the recorded pass. The network must be a deterministic function of its inputs (no random op on
     * the engine: masks come in as constants).
     *
     * @param scope the ops whose manager owns the caller's arrays; this call frees everything it makes
     * @param text the conditioning of the B rows
     * @param x_BLd the teacher-forcing input {@code (B, L-1, d)} row-major
     * @param schedule the scale schedule
     * @param lossOfLogits the scalar loss of the logits {@code (B, L, V)}; arrays it makes live until this call
     *     returns (copy what is needed to the host inside it)
     * @return the loss
     * @throws IllegalStateException if called inside a {@code GradientCollector}
     */
    public float lossAndGradients(
            DjlOps scope,
            InfinityText<NDArray> text,
            float[] x_BLd,
            ScaleSchedule schedule,
            Function<NDArray, NDArray> lossOfLogits) {
        return lossAndGradients(scope, text, x_BLd, schedule, lossOfLogits, o -> o, true);
    }

    /**
     * The teacher-forced loss and its gradients, checkpointed block by block or recorded as one graph.
     *
     * @param scope the ops whose manager owns the caller's arrays; this call frees everything it makes
     * @param text the conditioning of the B rows
     * @param x_BLd the teacher-forcing input {@code (B, L-1, d)} row-major
     * @param schedule the scale schedule
     * @param lossOfLogits the scalar loss of the logits {@code (B, L, V)}
     * @param decorator wraps the scoped ops every segment computes with (e.g. LoRA on chosen linears; identity
     *     for none)
     * @param checkpointed block-level checkpointing ({@link #lossAndGradients(DjlOps, InfinityText, float[],
     *     ScaleSchedule, Function)}) or one recorded forward and backward
     * @return the loss
     * @throws IllegalStateException if called inside a {@code GradientCollector}
     */
    public float lossAndGradients(
            DjlOps scope,
            InfinityText<NDArray> text,
            float[] x_BLd,
            ScaleSchedule schedule,
            Function<NDArray, NDArray> lossOfLogits,
            Function<DjlOps, Ops<NDArray>> decorator,
            boolean checkpointed) {
        ensureOpen();
        config.requireCompatible(schedule);
        int b = text.rows();
        int l = schedule.totalTokens();
        int d = config.bitsPerToken();
        if (x_BLd.length != (long) b * (l - 1) * d) {
            throw ShapeMismatchException.of("x_BLd", new long[] {b, l - 1, d}, new long[] {x_BLd.length});
        }
        if (JniUtils.isGradMode()) {
            throw new IllegalStateException(
                    "lossAndGradients opens its own GradientCollector: call it outside one (close yours first)");
        }
        try (NDManager pass = scope.manager().newSubManager()) {
            DjlOps p = scope.scoped(pass);
            Ops<NDArray> po = decorator.apply(p);
            TeacherForcedTables<NDArray> tables =
                    net.teacherForcedTables(po, schedule, InfinityNet.defaultChunks(schedule));
            NDArray x = p.constant(x_BLd, b, l - 1, d);
            if (!checkpointed) {
                try (GradientCollector gc = collector()) {
                    NDArray logits = net.forward(po, text, x, tables).logits_BLV();
                    NDArray loss = lossOfLogits.apply(logits);
                    gc.backward(loss);
                    return loss.getFloat();
                }
            }
            long blockBytes = recordedPassBytes(config, b, schedule) / config.depth();
            int tail = (int) Math.min(config.depth(), 1 + recordedTailBytes / Math.max(1, blockBytes));
            return checkpointed(p, decorator, text, x, tables, lossOfLogits, tail);
        }
    }

    private float checkpointed(
            DjlOps p,
            Function<DjlOps, Ops<NDArray>> decorator,
            InfinityText<NDArray> text,
            NDArray x,
            TeacherForcedTables<NDArray> tables,
            Function<NDArray, NDArray> lossOfLogits,
            int recordedTail) {
        NDManager pass = p.manager();
        int depth = net.depth();
        // attention-level checkpointing where one block's recorded probabilities would exceed the budget (the fused
        // attention records none), or always with a budget of 0
        long probabilities = DjlOps.fusesBlockCausal(text.rows(), config.numHeads(), tables.chunks())
                ? 0
                : 4L * text.rows() * config.numHeads() * tables.chunks().totalScores();
        boolean byChunks = attentionBudgetBytes == 0 || probabilities > attentionBudgetBytes;
        int run = byChunks ? depth : depth - recordedTail;
        // 1. forward without recording, keeping the inputs of the blocks (before their level embedding); the last
        //    blocks (recordedTail of them) run here only when they are back-propagated chunk by chunk
        List<NDArray> inputs = new ArrayList<>(depth + 1);
        try (NDManager s = pass.newSubManager()) {
            inputs.add(keep(net.embed(decorator.apply(p.scoped(s)), text.cond_RC(), x, tables), pass));
        }
        for (int i = 0; i < run; i++) {
            try (NDManager s = pass.newSubManager()) {
                Ops<NDArray> o = decorator.apply(p.scoped(s));
                NDArray in = net.levelEmbedded(o, i, inputs.get(i), tables);
                inputs.add(keep(net.block(o, i, in, text.block(i), tables), pass));
            }
        }
        // leaves for the conditioning the segments share; their gradients accumulate over the segments
        NDArray cond = leaf(text.cond_RC(), pass);
        NDArray gss = leaf(text.gss_R16C(), pass);
        NDArray caKv = leaf(text.caKv_NC(), pass);
        // 2. the head and the loss, with the last blocks recorded unless they run chunk by chunk below: the last
        //    block's graph costs no more than its recompute would hold, each one before it one block's graph more
        float loss;
        NDArray grad;
        try (NDManager s = pass.newSubManager();
                GradientCollector gc = collector()) {
            Ops<NDArray> o = decorator.apply(p.scoped(s));
            NDArray h = leaf(inputs.get(run), s);
            NDArray out = h;
            for (int i = run; i < depth; i++) {
                out = block(o, i, out, gss, caKv, text, tables);
            }
            NDArray lossArray = lossOfLogits.apply(net.logits(o, net.headNorm(o, out, cond)));
            gc.backward(lossArray);
            loss = lossArray.getFloat();
            grad = keep(h.getGradient(), pass);
        }
        // 3. the other blocks in reverse, each from its input
        for (int i = run - 1; i >= 0; i--) {
            NDArray next;
            if (byChunks) {
                next = blockBackwardByChunks(p, decorator, i, inputs.get(i), grad, gss, caKv, text, tables);
            } else {
                try (NDManager s = pass.newSubManager();
                        GradientCollector gc = collector()) {
                    Ops<NDArray> o = decorator.apply(p.scoped(s));
                    NDArray h = leaf(inputs.get(i), s);
                    backward(gc, block(o, i, h, gss, caKv, text, tables), grad);
                    next = keep(h.getGradient(), pass);
                }
            }
            grad.close();
            grad = next;
            inputs.get(i + 1).close();
        }
        // 4. the input embedding (SOS from the pooled text, word embedding)
        try (NDManager s = pass.newSubManager();
                GradientCollector gc = collector()) {
            backward(gc, net.embed(decorator.apply(p.scoped(s)), cond, x, tables), grad);
        }
        // 5. the caller's conditioning graph, if it has one: one backward of the sum of <output, its gradient>
        try (NDManager s = pass.newSubManager();
                GradientCollector gc = collector()) {
            NDArray total = keep(text.cond_RC().mul(cond.getGradient()).sum(), s);
            total = keep(total.add(keep(text.gss_R16C().mul(gss.getGradient()).sum(), s)), s);
            total = keep(total.add(keep(text.caKv_NC().mul(caKv.getGradient()).sum(), s)), s);
            try {
                gc.backward(total);
            } catch (EngineException e) {
                // DJL cannot tell a recorded non-leaf from a constant (requiresGrad is false for both and asking a
                // constant for its grad_fn crashes), so a conditioning without history is recognised here
                if (e.getMessage() == null || !e.getMessage().contains("does not require grad")) {
                    throw e;
                }
            }
        }
        return loss;
    }

    /**
     * The backward of block {@code i} with its self-attention recomputed chunk by chunk: without recording, q, k, v
     * and the attention output; then the block's second half from leaves of its input and of the attention output;
     * then every attention chunk from leaves of q, k, v (their gradients accumulate); then the first half from a
     * leaf of the input, back-propagating the gradients of q, k, v. At most one chunk's probabilities are recorded.
     *
     * @return the gradient of the block's input (before the level embedding), owned by {@code p}'s manager
     */
    private NDArray blockBackwardByChunks(
            DjlOps p,
            Function<DjlOps, Ops<NDArray>> decorator,
            int i,
            NDArray h,
            NDArray gradOut,
            NDArray gss,
            NDArray caKv,
            InfinityText<NDArray> text,
            TeacherForcedTables<NDArray> tables) {
        try (NDManager blk = p.manager().newSubManager()) {
            DjlOps bp = p.scoped(blk);
            BlockText<NDArray> frozenText = new BlockText<>(gss, text.block(i).cross(), text.textBias_R11N());
            // a) q, k, v and the attention output, not recorded
            SelfAttentionQkv<NDArray> qkv;
            NDArray sa;
            try (NDManager s = blk.newSubManager()) {
                Ops<NDArray> o = decorator.apply(bp.scoped(s));
                SelfAttentionQkv<NDArray> t =
                        net.blockQkv(o, i, net.levelEmbedded(o, i, h, tables), frozenText, tables);
                sa = keep(net.selfAttention(o, t, tables), blk);
                qkv = new SelfAttentionQkv<>(keep(t.q_BLHd(), blk), keep(t.k_BLHd(), blk), keep(t.v_BLHd(), blk));
            }
            // b) the second half (projection, cross-attention, FFN) from leaves of the input and the attention output
            NDArray gradResidual;
            NDArray gradSa;
            try (NDManager s = blk.newSubManager();
                    GradientCollector gc = collector()) {
                Ops<NDArray> o = decorator.apply(bp.scoped(s));
                NDArray hl = leaf(h, s);
                NDArray sal = leaf(sa, s);
                BlockText<NDArray> bt =
                        new BlockText<>(gss, net.crossKv(o, i, caKv, text.rowTokens()), text.textBias_R11N());
                backward(gc, net.blockAfterAttention(o, i, net.levelEmbedded(o, i, hl, tables), sal, bt), gradOut);
                gradResidual = keep(hl.getGradient(), blk);
                gradSa = keep(sal.getGradient(), blk);
            }
            // c) the attention, one chunk's graph at a time
            NDArray q = leaf(qkv.q_BLHd(), blk);
            NDArray k = leaf(qkv.k_BLHd(), blk);
            NDArray v = leaf(qkv.v_BLHd(), blk);
            long[] qs = bp.shape(q);
            NDArray gradSa_BHLd = bp.permute(bp.reshape(gradSa, qs), 0, 2, 1, 3);
            for (AttentionChunks.Chunk c : tables.chunks().chunks()) {
                try (NDManager s = blk.newSubManager();
                        GradientCollector gc = collector()) {
                    DjlOps o = bp.scoped(s);
                    NDArray out = net.selfAttentionChunk(
                            o, o.permute(q, 0, 2, 1, 3), o.permute(k, 0, 2, 3, 1), o.permute(v, 0, 2, 1, 3), c);
                    backward(gc, out, o.slice(gradSa_BHLd, 2, c.queryStart(), c.queryEnd()));
                }
            }
            // d) the first half (AdaLN, QKV, normalisation, RoPE) from a leaf of the input
            try (NDManager s = blk.newSubManager();
                    GradientCollector gc = collector()) {
                Ops<NDArray> o = decorator.apply(bp.scoped(s));
                NDArray hl = leaf(h, s);
                SelfAttentionQkv<NDArray> t =
                        net.blockQkv(o, i, net.levelEmbedded(o, i, hl, tables), frozenText, tables);
                NDArray total = keep(t.q_BLHd().mul(q.getGradient()).sum(), s);
                total = keep(total.add(keep(t.k_BLHd().mul(k.getGradient()).sum(), s)), s);
                total = keep(total.add(keep(t.v_BLHd().mul(v.getGradient()).sum(), s)), s);
                gc.backward(total);
                NDArray g = hl.getGradient().add(gradResidual);
                g.attach(p.manager());
                return g;
            }
        }
    }

    /**
     * Sets when {@link #lossAndGradients} also recomputes the self-attention chunk by chunk inside a block's
     * backward (attention-level checkpointing): when one block's recorded attention probabilities, {@code 4·B·H·Σ
     * n_k·offset(k+1)} bytes, would exceed this budget. Default 1 GiB (off at the mid configuration, on at
     * Infinity-2B's 1024² schedule). The fused attention ({@link FusedAttention}) records no probabilities, so with
     * it only a budget of 0 turns this on.
     *
     * @param bytes the budget; 0 always, {@code Long.MAX_VALUE} never
     * @return this model
     */
    public DjlInfinity attentionCheckpointBudget(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the attention checkpoint budget must be at least 0, got " + bytes);
        }
        this.attentionBudgetBytes = bytes;
        return this;
    }

    /**
     * Sets how many of the last blocks a checkpointed {@link #lossAndGradients} records in its forward instead of
     * recomputing them in the backward: the last one always (its graph is no larger than its recompute's), and one
     * more per {@link #recordedPassBytes} / depth bytes of this budget — memory traded for one block's forward each.
     * Default {@link #RECORDED_TAIL_BYTES}. Without effect where the attention is recomputed chunk by chunk ({@link
     * #attentionCheckpointBudget}).
     *
     * @param bytes the budget; 0 for the last block only, {@code Long.MAX_VALUE} for every block
     * @return this model
     */
    public DjlInfinity recordedTailBudget(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the recorded tail's budget must be at least 0, got " + bytes);
        }
        this.recordedTailBytes = bytes;
        return this;
    }

    /**
     * An estimate of what a recorded teacher-forced pass ({@link #lossAndGradients} with {@code checkpointed =
     * false}) keeps for its backward: per block and row, about {@code 16·C + 2·F} floats per token (the block's
     * normalised, projected and activated intermediates, F the FFN width) and, unless the attention is fused
     * ({@link DjlOps#fusesBlockCausal}: the fused kernel keeps no scores), twice the self-attention's block-causal
     * scores per head (scores and probabilities). For the mid configuration of {@code TrainBench} (B = 2) that is
     * 2.0 GB fused and 6.1 GB composed, where the recorded pass's process peaked at 7.2 GB resident fused and
     * 12.7 GB composed (3.7–4.0 GB block-checkpointed): a lower bound, good for the choice it serves; for the bundled
     * toy base (B = 2, composed at its size) 20 MB.
     *
     * @param config the architecture
     * @param rows B
     * @param schedule the scale schedule
     * @return bytes
     */
    public static long recordedPassBytes(InfinityConfig config, int rows, ScaleSchedule schedule) {
        long l = schedule.totalTokens();
        long perToken = 16L * config.embedDim() + 2L * config.ffnHidden();
        AttentionChunks chunks = InfinityNet.defaultChunks(schedule);
        long scores = DjlOps.fusesBlockCausal(rows, config.numHeads(), chunks)
                ? 0
                : 2L * config.numHeads() * chunks.totalScores();
        return 4L * rows * config.depth() * (l * perToken + scores);
    }

    /** Block {@code i} from its input before the level embedding, its cross-attention K/V from {@code caKv}. */
    private NDArray block(
            Ops<NDArray> o,
            int i,
            NDArray h,
            NDArray gss,
            NDArray caKv,
            InfinityText<NDArray> text,
            TeacherForcedTables<NDArray> tables) {
        NDArray in = net.levelEmbedded(o, i, h, tables);
        return net.block(
                o,
                i,
                in,
                new BlockText<>(gss, net.crossKv(o, i, caKv, text.rowTokens()), text.textBias_R11N()),
                tables);
    }

    private GradientCollector collector() {
        return manager.getEngine().newGradientCollector();
    }

    /** A leaf copy of {@code x} in {@code owner} that requires a gradient (shares storage, no history). */
    private static NDArray leaf(NDArray x, NDManager owner) {
        NDArray leaf = x.stopGradient();
        leaf.attach(owner);
        leaf.setRequiresGradient(true);
        return leaf;
    }

    private static NDArray keep(NDArray x, NDManager owner) {
        x.attach(owner);
        return x;
    }

    /**
     * Back-propagates {@code grad} from {@code out} (the vector-Jacobian product of the graph {@code gc} recorded;
     * DJL's collector only back-propagates ones).
     */
    private static void backward(GradientCollector gc, NDArray out, NDArray grad) {
        Objects.requireNonNull(gc, "gc");
        JniUtils.backward((PtNDArray) out, (PtNDArray) grad, false, false);
    }

    /**
     * A KV-cached stepper for {@code NextScaleLoop} with the prompts bound.
     *
     * @param text_NCt5 the prompts' text features concatenated, {@code (N, Ct5)} row-major
     * @param lens the prompts' token counts (B prompts)
     * @param schedule the scale schedule
     * @param guided whether to run the B unconditional rows too (R = 2B, for cfg != 1); otherwise R = B
     * @return the stepper; close it to free its cache
     */
    public Stepper stepper(float[] text_NCt5, int[] lens, ScaleSchedule schedule, boolean guided) {
        ensureOpen();
        config.requireCompatible(schedule);
        NDManager generation = manager.newSubManager();
        try {
            DjlOps scope = ops.scoped(generation);
            InfinityText<NDArray> text =
                    guided ? conditionGuided(scope, text_NCt5, lens) : conditionText(scope, text_NCt5, lens);
            return new Stepper(generation, text, schedule);
        } catch (RuntimeException e) {
            generation.close();
            throw e;
        }
    }

    /**
     * The KV-cached step of {@link InfinityNet#step} as a {@link ScaleStepper}: holds the text conditioning
     * and the cache in its own scope; each step's intermediates are freed when it returns.
     */
    public final class Stepper implements ScaleStepper, AutoCloseable {
        private final NDManager generation;
        private final InfinityText<NDArray> text;
        private final ScaleSchedule schedule;
        private InfinityKvCache<NDArray> cache = InfinityKvCache.empty();
        private boolean stepperClosed;

        private Stepper(NDManager generation, InfinityText<NDArray> text, ScaleSchedule schedule) {
            this.generation = generation;
            this.text = text;
            this.schedule = schedule;
        }

        /**
         * The rows this stepper runs.
         *
         * @return R (2B when guided, else B)
         */
        public int rows() {
            return text.rows();
        }

        @Override
        public float[] step(int k, float[] input_Bnd) {
            if (stepperClosed) {
                throw new IllegalStateException("stepper is closed");
            }
            ensureOpen();
            if (k == 0) {
                dropCache();
            }
            int n = schedule.get(k).tokens();
            int d = config.bitsPerToken();
            try (NDManager stepScope = generation.newSubManager()) {
                DjlOps scope = ops.scoped(stepScope);
                NDArray x = null;
                if (input_Bnd != null) {
                    if (input_Bnd.length % ((long) n * d) != 0) {
                        throw ShapeMismatchException.of(
                                "input_Bnd of scale " + k, new long[] {-1, n, d}, new long[] {input_Bnd.length});
                    }
                    x = scope.constant(input_Bnd, input_Bnd.length / ((long) n * d), n, d);
                }
                InfinityStep<NDArray> s = net.step(scope, text, schedule, k, x, cache);
                float[] logits = s.logits_RnV().toFloatArray();
                InfinityKvCache<NDArray> next = s.cache();
                for (LayerKv<NDArray> kv : next.layers()) {
                    kv.keys().attach(generation);
                    kv.values().attach(generation);
                }
                dropCache();
                cache = next;
                return logits;
            } catch (RuntimeException e) {
                if (e instanceof ArboothException || e instanceof IllegalArgumentException) {
                    throw e;
                }
                throw new ArboothException("Infinity KV-cached step " + k + " failed on DJL: " + e.getMessage(), e);
            }
        }

        private void dropCache() {
            for (LayerKv<NDArray> kv : cache.layers()) {
                kv.keys().close();
                kv.values().close();
            }
            cache = InfinityKvCache.empty();
        }

        /** Frees the text conditioning and the cache. Idempotent. */
        @Override
        public void close() {
            if (!stepperClosed) {
                stepperClosed = true;
                cache = InfinityKvCache.empty();
                generation.close();
            }
        }
    }

    private static int sum(int[] lens) {
        Objects.requireNonNull(lens, "lens");
        int n = 0;
        for (int len : lens) {
            n = Math.addExact(n, len);
        }
        return n;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("DjlInfinity is closed");
        }
    }

    /** Frees the weights. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
