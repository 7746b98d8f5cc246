package dev.arbooth.internal.nn;

import static dev.arbooth.internal.weights.InfinityTensor.CFG_UNCOND;
import static dev.arbooth.internal.weights.InfinityTensor.LVL_EMBED;
import static dev.arbooth.internal.weights.InfinityTensor.POOL_MAT_Q;
import static dev.arbooth.internal.weights.InfinityTensor.POS_START;
import static dev.arbooth.internal.weights.InfinityTensor.TEXT_NORM;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.weights.InfinityLinear;
import dev.arbooth.internal.weights.InfinityTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The Infinity transformer (official {@code infinity/models/infinity.py}), written once against {@link Ops}:
 * the text-conditioning prologue, the teacher-forced forward used for training, and the KV-cached step of
 * next-scale inference. The math of every stage is in {@code ../shared/golden/infinity-set1/README.md}
 * (sections 4.1–4.5); stage numbers below refer to it.
 *
 * <pre>{@code
 * InfinityNet net = InfinityNet.of(config);
 * InfinityText<T> text = net.conditionText(ops, text_NCt5, lens);                 // 4.1, once per prompt set
 * InfinityForward<T> f = net.forward(ops, text, x_BLd, schedule);                 // 4.2 (training)
 * InfinityKvCache<T> cache = InfinityKvCache.empty();                            // 4.5 (inference)
 * for (int k = 0; k < S; k++) {
 *     InfinityStep<T> s = net.step(ops, text, schedule, k, k == 0 ? null : x_Bnd, cache);
 *     cache = s.cache();                                                          // s.logits_RnV(): (R, h*w, V)
 * }
 * }</pre>
 *
 * <p>Weights are looked up by their official names through {@link Ops#weight}. The supported architecture is
 * that of the released models: cosine self-attention, shared AdaLN, AdaLN before the head; the level
 * embedding is added before the first block chunk (official) or, with {@code
 * addLevelEmbeddingOnlyFirstBlock = false}, before every chunk (ARBooth's {@code infinity_final.py}).
 * Immutable and thread-safe.
 */
public final class InfinityNet {
    /**
     * The default budget of one block-causal attention chunk: scores per row and head ({@link
     * AttentionChunks#blockCausal}). 2<sup>20</sup>: at Infinity-2B's 1024² schedule (L = 10 521, 16 heads) one
     * chunk's scores for 2 rows are 128 MiB in float32, against 7 GiB for the dense {@code (B, H, L, L)} form.
     */
    public static final long DEFAULT_CHUNK_SCORES = 1L << 20;

    private final InfinityConfig config;
    private final List<InfinityBlock> blocks;
    private volatile Rope2d lastRope;

    private InfinityNet(InfinityConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        if (unsupported(config) != null) {
            throw new IllegalArgumentException(unsupported(config));
        }
        List<InfinityBlock> b = new ArrayList<>();
        for (int i = 0; i < config.depth(); i++) {
            b.add(new InfinityBlock(config, i));
        }
        this.blocks = List.copyOf(b);
    }

    /**
     * Why a configuration cannot run, for messages.
     *
     * @param config the architecture
     * @return the reason, or {@code null} when the network supports it
     */
    public static String unsupported(InfinityConfig config) {
        if (config.spatialPatchify()) {
            return "the 2x2 spatial patchify of Infinity-8B (apply_spatial_patchify) is not implemented: no reference"
                    + " tensors of the official code cover it yet, so it could not be verified; got " + config;
        }
        if (!config.cosAttn() || !config.sharedAdaLn() || !config.headAdaLn()) {
            return "InfinityNet supports the released architecture only (cosAttn, sharedAdaLn, headAdaLn), got "
                    + config;
        }
        return null;
    }

    /**
     * The network of a configuration.
     *
     * @param config the architecture
     * @return the network
     * @throws IllegalArgumentException if the configuration uses an unsupported variant
     */
    public static InfinityNet of(InfinityConfig config) {
        return new InfinityNet(config);
    }

    /**
     * The configuration.
     *
     * @return the architecture
     */
    public InfinityConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------ 4.1 text conditioning

    /**
     * The additive attention bias of compact prompts: row {@code r} sees only its own tokens.
     *
     * @param lens the token count of every prompt row, each at least 1
     * @return {@code (R, 1, 1, N)} row-major with {@code N = sum(lens)}: 0 on the row's tokens, -inf elsewhere
     * @throws IllegalArgumentException if a length is below 1
     */
    public static float[] textBias(int[] lens) {
        int n = tokenCount(lens);
        float[] bias = new float[Math.multiplyExact(lens.length, n)];
        Arrays.fill(bias, Float.NEGATIVE_INFINITY);
        int start = 0;
        for (int r = 0; r < lens.length; r++) {
            Arrays.fill(bias, r * n + start, r * n + start + lens[r], 0f);
            start += lens[r];
        }
        return bias;
    }

    /** The prompts' total token count N, each length at least 1. */
    private static int tokenCount(int[] lens) {
        int n = 0;
        for (int len : lens) {
            if (len < 1) {
                throw new IllegalArgumentException(
                        "every prompt needs at least 1 text token, got lengths " + Arrays.toString(lens));
            }
            n = Math.addExact(n, len);
        }
        return n;
    }

    /**
     * The unconditional text of classifier-free guidance: for prompt {@code i}, rows {@code [0, lens[i])} of
     * the learned {@code cfg_uncond} (same length as the prompt), concatenated compactly.
     *
     * @param ops the engine
     * @param lens the prompts' token counts, each in {@code 1..textMaxLength}
     * @param <T> the engine's tensor handle
     * @return {@code (sum(lens), Ct5)}
     */
    public <T> T unconditionalText(Ops<T> ops, int[] lens) {
        T uncond = ops.weight(CFG_UNCOND.key());
        List<T> parts = new ArrayList<>();
        for (int len : lens) {
            if (len < 1 || len > config.textMaxLength()) {
                throw new IllegalArgumentException(
                        "prompt length " + len + " is outside 1.." + config.textMaxLength() + " (text_maxlen)");
            }
            parts.add(ops.slice(uncond, 0, 0, len));
        }
        return parts.size() == 1 ? parts.get(0) : ops.concat(0, parts);
    }

    /**
     * Text conditioning of compact prompts (README 4.1).
     *
     * @param ops the engine
     * @param text_NCt5 the text encoder's features of every row's tokens, concatenated without padding
     * @param lens the token count of every row (prompt rows, then any unconditional rows)
     * @param <T> the engine's tensor handle
     * @return the conditioning of the {@code lens.length} rows
     */
    public <T> InfinityText<T> conditionText(Ops<T> ops, T text_NCt5, int[] lens) {
        return conditionText(ops, text_NCt5, lens, TextLayout.COMPACT);
    }

    /**
     * Text conditioning of compact prompts in the given attention layout (README 4.1): the same conditioning up to
     * float rounding, {@link TextLayout#PER_ROW} cheaper for many rows.
     *
     * @param ops the engine
     * @param text_NCt5 the text encoder's features of every row's tokens, concatenated without padding
     * @param lens the token count of every row (prompt rows, then any unconditional rows), each at least 1
     * @param layout how the pool and the cross-attention see the tokens
     * @param <T> the engine's tensor handle
     * @return the conditioning of the {@code lens.length} rows
     * @throws IllegalArgumentException if a length is below 1
     * @throws ShapeMismatchException if the text does not hold {@code sum(lens)} tokens of the text width
     */
    public <T> InfinityText<T> conditionText(Ops<T> ops, T text_NCt5, int[] lens, TextLayout layout) {
        Objects.requireNonNull(layout, "layout");
        int rows = lens.length;
        if (layout == TextLayout.COMPACT) {
            float[] compact = textBias(lens);
            return condition(ops, text_NCt5, ops.constant(compact, rows, 1, 1, compact.length / rows), 0);
        }
        int n = tokenCount(lens);
        long[] ts = ops.shape(text_NCt5);
        if (ts.length != 2 || ts[0] != n || ts[1] != config.textChannels()) {
            throw ShapeMismatchException.of("text_NCt5", new long[] {n, config.textChannels()}, ts);
        }
        int m = Arrays.stream(lens).max().orElseThrow();
        // row r's tokens at [r·m, r·m + len), its padding a copy of its first token (masked: weight exactly 0)
        long[] index = new long[Math.multiplyExact(rows, m)];
        float[] bias = new float[index.length];
        int start = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < m; j++) {
                index[r * m + j] = start + (j < lens[r] ? j : 0);
                bias[r * m + j] = j < lens[r] ? 0f : Float.NEGATIVE_INFINITY;
            }
            start += lens[r];
        }
        T padded_NCt5 = ops.gather(text_NCt5, ops.constantLong(index, index.length));
        return condition(ops, padded_NCt5, ops.constant(bias, rows, 1, 1, m), m);
    }

    /**
     * Text conditioning of B prompts followed by their B unconditional rows ({@code cfg_uncond[:len_i]}, {@link
     * #unconditionalText}): the 2B rows of guided sampling (README 4.5 step 1), the same for every engine.
     *
     * @param ops the engine
     * @param text_NCt5 the prompts' text features concatenated, {@code (N, Ct5)}
     * @param lens the prompts' token counts
     * @param <T> the engine's tensor handle
     * @return the conditioning of 2B rows: the prompts, then their unconditional rows in the same order
     */
    public <T> InfinityText<T> conditionGuided(Ops<T> ops, T text_NCt5, int[] lens) {
        return conditionGuided(ops, text_NCt5, lens, TextLayout.COMPACT);
    }

    /**
     * As {@link #conditionGuided(Ops, Object, int[])}, in the given attention layout.
     *
     * @param ops the engine
     * @param text_NCt5 the prompts' text features concatenated, {@code (N, Ct5)}
     * @param lens the prompts' token counts
     * @param layout how the pool and the cross-attention see the tokens
     * @param <T> the engine's tensor handle
     * @return the conditioning of 2B rows: the prompts, then their unconditional rows in the same order
     */
    public <T> InfinityText<T> conditionGuided(Ops<T> ops, T text_NCt5, int[] lens, TextLayout layout) {
        T both = ops.concat(0, List.of(text_NCt5, unconditionalText(ops, lens)));
        int[] lens2 = new int[2 * lens.length];
        System.arraycopy(lens, 0, lens2, 0, lens.length);
        System.arraycopy(lens, 0, lens2, lens.length, lens.length);
        return conditionText(ops, both, lens2, layout);
    }

    /**
     * Text conditioning with an explicit text bias (the graph form: the bias is an input).
     *
     * @param ops the engine
     * @param text_NCt5 the text features, {@code (N, Ct5)}
     * @param textBias_R11N the additive bias ({@link #textBias(int[])}), {@code (R, 1, 1, N)}
     * @param <T> the engine's tensor handle
     * @return the conditioning of the R rows
     * @throws ShapeMismatchException if the shapes disagree with each other or with the configuration
     */
    public <T> InfinityText<T> conditionText(Ops<T> ops, T text_NCt5, T textBias_R11N) {
        return condition(ops, text_NCt5, textBias_R11N, 0);
    }

    /** Stages 1–5 of the conditioning; {@code rowTokens} 0: compact, else M tokens per row ({@link TextLayout}). */
    private <T> InfinityText<T> condition(Ops<T> ops, T text_NCt5, T textBias_R11N, int rowTokens) {
        long[] ts = ops.shape(text_NCt5);
        long[] bs = ops.shape(textBias_R11N);
        if (ts.length != 2 || ts[1] != config.textChannels()) {
            throw ShapeMismatchException.of("text_NCt5", new long[] {-1, config.textChannels()}, ts);
        }
        long scored = rowTokens == 0 ? ts[0] : rowTokens;
        if (bs.length != 4 || bs[1] != 1 || bs[2] != 1 || bs[3] != scored) {
            throw ShapeMismatchException.of("textBias_R11N", new long[] {-1, 1, 1, scored}, bs);
        }
        int rows = Math.toIntExact(bs[0]);
        int c = config.embedDim();
        int hp = config.textPoolHeads();
        int hdp = config.textPoolHeadDim();
        float eps = (float) config.normEps();

        // 1. RMSNorm of the text features (text_norm)
        T kv_NCt5 = ops.rmsNorm(text_NCt5, ops.weight(TEXT_NORM.key()), eps);

        // 2. attentive pool (text_proj_for_sos): one learned query per head over the row's own tokens
        CrossKv<T> pool = CrossKv.project(
                ops,
                kv_NCt5,
                InfinityLinear.TEXT_POOL_KV.key(),
                bias(ops, InfinityLinear.TEXT_POOL_KV),
                hp,
                hdp,
                rowTokens);
        T q_1H1c = ops.reshape(ops.weight(POOL_MAT_Q.key()), 1, hp, 1, hdp);
        T a_RH1N = ops.softmax(
                ops.add(
                        ops.mulScalar(ops.matmul(q_1H1c, pool.keys_HcN()), (float) (1.0 / Math.sqrt(hdp))),
                        textBias_R11N),
                -1);
        Var<T> o_RC = Var.of(ops, ops.matmul(a_RH1N, pool.values_HNc())).reshape(rows, c);
        T cond_RC = linear(ops, o_RC, InfinityLinear.TEXT_POOL_PROJ).get();

        // 3. cross-attention K/V source (text_proj_for_ca): Linear, GELU(tanh), Linear
        T caKv_NC = linear(
                        ops,
                        linear(ops, Var.of(ops, kv_NCt5), InfinityLinear.TEXT_CA_0)
                                .geluTanh(),
                        InfinityLinear.TEXT_CA_2)
                .get();

        // 4. shared AdaLN: shared_ada_lin(SiLU(cond)) viewed (R, 1, 6, C)
        T gss_R16C = linear(ops, Var.of(ops, cond_RC).silu(), InfinityLinear.SHARED_ADA_LIN)
                .reshape(rows, 1, 6, c)
                .get();

        // 5. every block's cross-attention keys and values, once per prompt set
        List<CrossKv<T>> crossKv = new ArrayList<>();
        for (InfinityBlock b : blocks) {
            crossKv.add(b.crossKv(ops, caKv_NC, rowTokens));
        }
        return new InfinityText<>(cond_RC, caKv_NC, gss_R16C, textBias_R11N, crossKv, rows, rowTokens);
    }

    // ------------------------------------------------------------------------ 4.2 teacher-forced forward

    /**
     * The additive block-causal bias of the dense teacher-forced attention: token {@code i} sees token {@code j}
     * iff {@code scale(j) <= scale(i)}. The forward never forms it (it attends in {@link AttentionChunks}); kept as
     * the reference the chunks are checked against.
     *
     * @param schedule the scale schedule
     * @return {@code (L, L)} row-major, 0 or -inf
     */
    public static float[] blockCausalBias(ScaleSchedule schedule) {
        int l = schedule.totalTokens();
        float[] bias = new float[Math.multiplyExact(l, l)];
        for (int k = 0; k < schedule.size(); k++) {
            int visible = schedule.offset(k + 1);
            for (int i = schedule.offset(k); i < visible; i++) {
                Arrays.fill(bias, i * l + visible, (i + 1) * l, Float.NEGATIVE_INFINITY);
            }
        }
        return bias;
    }

    /**
     * The teacher-forced (training) forward over the whole sequence (README 4.2), the block-causal attention in
     * chunks of at most {@link #DEFAULT_CHUNK_SCORES} scores per row and head.
     *
     * @param ops the engine
     * @param text the conditioning of the B prompt rows
     * @param x_BLd the teacher-forcing input of scales 1..S-1 ({@code x_BLC_wo_prefix}), {@code (B, L-1, d)}
     * @param schedule the scale schedule (S scales, L tokens)
     * @param <T> the engine's tensor handle
     * @return the logits {@code (B, L, V)} and intermediates
     * @throws ShapeMismatchException if the input does not fit the schedule, the rows or the configuration
     */
    public <T> InfinityForward<T> forward(Ops<T> ops, InfinityText<T> text, T x_BLd, ScaleSchedule schedule) {
        config.requireCompatible(schedule);
        return forward(ops, text, x_BLd, teacherForcedTables(ops, schedule, defaultChunks(schedule)));
    }

    /**
     * The teacher-forced forward with explicit tables (e.g. other attention chunks).
     *
     * @param ops the engine
     * @param text the conditioning of the B prompt rows
     * @param x_BLd the teacher-forcing input, {@code (B, L-1, d)}
     * @param tables the schedule's tables ({@link #teacherForcedTables})
     * @param <T> the engine's tensor handle
     * @return the logits {@code (B, L, V)} and intermediates
     * @throws ShapeMismatchException if the input does not fit the schedule, the rows or the configuration
     */
    public <T> InfinityForward<T> forward(Ops<T> ops, InfinityText<T> text, T x_BLd, TeacherForcedTables<T> tables) {
        // 1. SOS token (cond + pos_start) followed by the embedded teacher-forcing input
        T x_BLC = embed(ops, text.cond_RC(), x_BLd, tables);
        // 2.-4. per block: the level embedding where it is added, then the block (block-causal attention)
        T blockIn = null;
        List<T> outs = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            x_BLC = levelEmbedded(ops, i, x_BLC, tables);
            if (i == 0) {
                blockIn = x_BLC;
            }
            x_BLC = block(ops, i, x_BLC, text.block(i), tables);
            outs.add(x_BLC);
        }
        // 5. head: AdaLN on the pooled text, then Linear C -> V
        T headNorm = headNorm(ops, x_BLC, text.cond_RC());
        return new InfinityForward<>(logits(ops, headNorm), blockIn, outs, headNorm);
    }

    /**
     * The default attention chunks of a schedule: scale by scale, at most {@link #DEFAULT_CHUNK_SCORES} scores per
     * row and head.
     *
     * @param schedule the scale schedule
     * @return the chunks
     */
    public static AttentionChunks defaultChunks(ScaleSchedule schedule) {
        return AttentionChunks.blockCausal(schedule, DEFAULT_CHUNK_SCORES);
    }

    /**
     * The per-schedule constants of a teacher-forced pass: level embedding per token, RoPE angles, the chunks.
     *
     * @param ops the engine
     * @param schedule the scale schedule
     * @param chunks the chunks of the block-causal attention over the schedule's tokens
     * @param <T> the engine's tensor handle
     * @return the tables
     */
    public <T> TeacherForcedTables<T> teacherForcedTables(Ops<T> ops, ScaleSchedule schedule, AttentionChunks chunks) {
        config.requireCompatible(schedule);
        int l = schedule.totalTokens();
        Rope2d rope = rope(schedule);
        int half = rope.half();
        long[] scaleOfToken =
                Arrays.stream(schedule.scaleIndexPerToken()).asLongStream().toArray();
        T lvl_LC = ops.gather(ops.weight(LVL_EMBED.key()), ops.constantLong(scaleOfToken, l));
        RopeTables<T> angles =
                new RopeTables<>(ops.constant(rope.cos(), l, half, 1), ops.constant(rope.sin(), l, half, 1));
        return new TeacherForcedTables<>(schedule, lvl_LC, angles, chunks);
    }

    /**
     * The input of the blocks before any level embedding: the SOS token ({@code cond + pos_start}) followed by the
     * embedded teacher-forcing input.
     *
     * @param ops the engine
     * @param cond_RC the pooled text vectors of the B rows, {@code (B, C)}
     * @param x_BLd the teacher-forcing input, {@code (B, L-1, d)}
     * @param tables the schedule's tables
     * @param <T> the engine's tensor handle
     * @return {@code (B, L, C)}
     * @throws ShapeMismatchException if the input does not fit the schedule, the rows or the configuration
     */
    public <T> T embed(Ops<T> ops, T cond_RC, T x_BLd, TeacherForcedTables<T> tables) {
        int b = Math.toIntExact(ops.shape(cond_RC)[0]);
        int l = tables.schedule().totalTokens();
        int c = config.embedDim();
        long[] xs = ops.shape(x_BLd);
        long[] want = {b, l - 1, config.bitsPerToken()};
        if (!Arrays.equals(xs, want)) {
            throw ShapeMismatchException.of("x_BLd", want, xs);
        }
        T sos_B1C = ops.add(ops.reshape(cond_RC, b, 1, c), ops.weight(POS_START.key()));
        T emb_BLC = linear(ops, Var.of(ops, x_BLd), InfinityLinear.WORD_EMBED).get();
        return ops.concat(1, List.of(sos_B1C, emb_BLC));
    }

    /**
     * The hidden state with the level embedding added where block {@code i} receives it (the first block of the
     * first chunk, or of every chunk), otherwise unchanged.
     *
     * @param ops the engine
     * @param block the block index
     * @param x_BLC the hidden state before the block
     * @param tables the schedule's tables
     * @param <T> the engine's tensor handle
     * @return the block's input
     */
    public <T> T levelEmbedded(Ops<T> ops, int block, T x_BLC, TeacherForcedTables<T> tables) {
        Objects.checkIndex(block, blocks.size());
        return addsLevelEmbedding(block) ? ops.add(x_BLC, tables.lvl_LC()) : x_BLC;
    }

    /**
     * One block of the teacher-forced forward (its input already level-embedded, {@link #levelEmbedded}).
     *
     * @param ops the engine
     * @param block the block index
     * @param x_BLC the block's input {@code (B, L, C)}
     * @param text the block's share of the conditioning ({@link InfinityText#block}, or one made with {@link
     *     #crossKv})
     * @param tables the schedule's tables
     * @param <T> the engine's tensor handle
     * @return the block's output {@code (B, L, C)}
     */
    public <T> T block(Ops<T> ops, int block, T x_BLC, BlockText<T> text, TeacherForcedTables<T> tables) {
        return blocks.get(block)
                .forward(ops, x_BLC, text, tables.angles(), tables.chunks(), null)
                .x_RnC();
    }

    /**
     * The first half of {@link #block}: the self-attention's queries, keys and values (so that a trainer can
     * recompute the attention chunk by chunk, {@link #selfAttentionChunk}).
     *
     * @param ops the engine
     * @param block the block index
     * @param x_BLC the block's input {@code (B, L, C)} (level-embedded)
     * @param text the block's share of the conditioning
     * @param tables the schedule's tables
     * @param <T> the engine's tensor handle
     * @return q, k, v {@code (B, L, H, d)}
     */
    public <T> SelfAttentionQkv<T> blockQkv(
            Ops<T> ops, int block, T x_BLC, BlockText<T> text, TeacherForcedTables<T> tables) {
        return blocks.get(block).selfAttentionQkv(ops, x_BLC, text, tables.angles());
    }

    /**
     * The second half of {@link #block}: the self-attention's projection and residual, the cross-attention and the
     * FFN, from the self-attention's output.
     *
     * @param ops the engine
     * @param block the block index
     * @param x_BLC the block's input {@code (B, L, C)} (level-embedded)
     * @param saOut_BLC the self-attention's output {@code (B, L, H*d)} ({@link Ops#blockCausalAttention} of {@link
     *     #blockQkv})
     * @param text the block's share of the conditioning
     * @param <T> the engine's tensor handle
     * @return the block's output {@code (B, L, C)}
     */
    public <T> T blockAfterAttention(Ops<T> ops, int block, T x_BLC, T saOut_BLC, BlockText<T> text) {
        return blocks.get(block).afterSelfAttention(ops, x_BLC, saOut_BLC, text);
    }

    /**
     * A block's whole self-attention from its queries, keys and values ({@link Ops#blockCausalAttention} in the
     * tables' chunks, softmax scale 1: cosine attention).
     *
     * @param ops the engine
     * @param qkv the block's {@link #blockQkv}
     * @param tables the schedule's tables
     * @param <T> the engine's tensor handle
     * @return {@code (B, L, H*d)}
     */
    public <T> T selfAttention(Ops<T> ops, SelfAttentionQkv<T> qkv, TeacherForcedTables<T> tables) {
        return ops.blockCausalAttention(qkv.q_BLHd(), qkv.k_BLHd(), qkv.v_BLHd(), tables.chunks(), 1f);
    }

    /**
     * One chunk of a block's self-attention (softmax scale 1: cosine attention), as {@link
     * Ops#blockCausalAttention} computes it.
     *
     * @param ops the engine
     * @param q_BHLd the queries {@code (B, H, L, d)}
     * @param kT_BHdL the transposed keys {@code (B, H, d, L)}
     * @param v_BHLd the values {@code (B, H, L, d)}
     * @param chunk the chunk
     * @param <T> the engine's tensor handle
     * @return {@code (B, H, b - a, d)}
     */
    public <T> T selfAttentionChunk(Ops<T> ops, T q_BHLd, T kT_BHdL, T v_BHLd, AttentionChunks.Chunk chunk) {
        return ops.attentionChunk(q_BHLd, kT_BHdL, v_BHLd, chunk, 1f);
    }

    /**
     * A block's cross-attention keys and values in either layout ({@link InfinityText#rowTokens}).
     *
     * @param ops the engine
     * @param block the block index
     * @param caKv_NC the cross-attention K/V source ({@link InfinityText#caKv_NC})
     * @param rowTokens 0 for the compact layout, else the tokens of every row
     * @param <T> the engine's tensor handle
     * @return the keys and values
     */
    public <T> CrossKv<T> crossKv(Ops<T> ops, int block, T caKv_NC, int rowTokens) {
        return blocks.get(block).crossKv(ops, caKv_NC, rowTokens);
    }

    /**
     * The number of blocks.
     *
     * @return the depth
     */
    public int depth() {
        return blocks.size();
    }

    /**
     * The head's AdaLN ({@code head_nm}): {@code LN(x) * (1 + scale) + shift} with (scale, shift) from
     * SiLU(cond).
     *
     * @param ops the engine
     * @param x_RnC the last block's output {@code (R, n, C)}
     * @param cond_RC the pooled text vectors {@code (R, C)}
     * @param <T> the engine's tensor handle
     * @return {@code (R, n, C)}
     */
    public <T> T headNorm(Ops<T> ops, T x_RnC, T cond_RC) {
        return headNorm(ops, x_RnC, cond_RC, Math.toIntExact(ops.shape(cond_RC)[0]));
    }

    /**
     * The head's linear layer: bitwise logits.
     *
     * @param ops the engine
     * @param headNorm_RnC the head's AdaLN output ({@link #headNorm(Ops, Object, Object)})
     * @param <T> the engine's tensor handle
     * @return {@code (R, n, V)}
     */
    public <T> T logits(Ops<T> ops, T headNorm_RnC) {
        return linear(ops, Var.of(ops, headNorm_RnC), InfinityLinear.HEAD).get();
    }

    // ------------------------------------------------------------------------ 4.5 KV-cached step

    /**
     * One KV-cached step of next-scale inference (README 4.5): runs the tokens of scale {@code k} for every
     * prompt row against the cached keys/values of scales {@code 0..k-1}.
     *
     * @param ops the engine
     * @param text the conditioning of the R rows (e.g. B prompts then their B unconditional rows)
     * @param schedule the scale schedule
     * @param k the scale, equal to {@code cache.scales()}
     * @param x_Bnd for {@code k >= 1} the next-scale input {@code (B, h_k*w_k, d)} with B dividing R (the
     *     rows are repeated R/B times, as the official code repeats the embedded input); {@code null} for
     *     {@code k = 0}, whose input is the SOS token
     * @param cache the cache of scales {@code 0..k-1}
     * @param <T> the engine's tensor handle
     * @return the raw logits {@code (R, h_k*w_k, V)} and the extended cache
     * @throws IllegalArgumentException if {@code k} does not follow the cache
     * @throws ShapeMismatchException if the input does not fit
     */
    public <T> InfinityStep<T> step(
            Ops<T> ops, InfinityText<T> text, ScaleSchedule schedule, int k, T x_Bnd, InfinityKvCache<T> cache) {
        config.requireCompatible(schedule);
        Objects.checkIndex(k, schedule.size());
        if (cache.scales() != k || cache.tokens() != schedule.offset(k)) {
            throw new IllegalArgumentException("step " + k + " needs the cache of scales 0.." + (k - 1) + " ("
                    + schedule.offset(k) + " tokens), got " + cache.scales() + " scales, " + cache.tokens()
                    + " tokens");
        }
        int r = text.rows();
        int n = schedule.get(k).tokens();
        Rope2d rope = rope(schedule);
        int half = rope.half();

        // 1. input tokens: the SOS token at scale 0, else the embedded next-scale input repeated to R rows
        T x_RnC = scaleInput(ops, text, k, n, x_Bnd, true);

        // 2. level embedding k; RoPE rows offset(k)..offset(k+1)-1
        T lvl_1C = ops.slice(ops.weight(LVL_EMBED.key()), 0, k, k + 1);
        RopeTables<T> angles =
                new RopeTables<>(ops.constant(rope.cos(k), n, half, 1), ops.constant(rope.sin(k), n, half, 1));

        // 3. the blocks against the cache (the block-causal mask is implicit: all cached tokens are visible)
        List<LayerKv<T>> kv = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            if (addsLevelEmbedding(i)) {
                x_RnC = ops.add(x_RnC, lvl_1C);
            }
            InfinityBlock.Out<T> o = blocks.get(i).forward(ops, x_RnC, text.block(i), angles, null, cache.layer(i));
            x_RnC = o.x_RnC();
            kv.add(o.kv());
        }

        // 4. head
        T logits = linear(ops, Var.of(ops, headNorm(ops, x_RnC, text.cond_RC(), r)), InfinityLinear.HEAD)
                .get();
        return new InfinityStep<>(logits, new InfinityKvCache<>(k + 1, schedule.offset(k + 1), kv));
    }

    /**
     * One scale of ARBooth's class sampler ({@code infinity_final.py::autoregressive_cls_infer}, golden
     * {@code arbooth-train-set1} README 3.5 teacher (a)): the tokens of scale {@code k} run through the blocks
     * with NO cache and no self-attention bias (they attend to each other only), with RoPE rows {@code
     * 0..h_k*w_k-1} of the schedule's table at every scale (the blocks are called without a scale index); the
     * level embedding and the head as in {@link #step}.
     *
     * @param ops the engine
     * @param text the conditioning of the R rows
     * @param schedule the scale schedule
     * @param k the scale
     * @param x_Bnd for {@code k >= 1} the next-scale input {@code (R, h_k*w_k, d)}; {@code null} for {@code k = 0}
     * @param <T> the engine's tensor handle
     * @return the raw logits {@code (R, h_k*w_k, V)}
     * @throws ShapeMismatchException if the input does not fit
     */
    public <T> T stepWithoutContext(Ops<T> ops, InfinityText<T> text, ScaleSchedule schedule, int k, T x_Bnd) {
        config.requireCompatible(schedule);
        Objects.checkIndex(k, schedule.size());
        int r = text.rows();
        int n = schedule.get(k).tokens();
        Rope2d rope = rope(schedule);
        int half = rope.half();
        T x_RnC = scaleInput(ops, text, k, n, x_Bnd, false);
        T lvl_1C = ops.slice(ops.weight(LVL_EMBED.key()), 0, k, k + 1);
        RopeTables<T> angles = new RopeTables<>(
                ops.constant(Arrays.copyOf(rope.cos(), n * half), n, half, 1),
                ops.constant(Arrays.copyOf(rope.sin(), n * half), n, half, 1));
        for (int i = 0; i < blocks.size(); i++) {
            if (addsLevelEmbedding(i)) {
                x_RnC = ops.add(x_RnC, lvl_1C);
            }
            x_RnC = blocks.get(i)
                    .forward(ops, x_RnC, text.block(i), angles, null, null)
                    .x_RnC();
        }
        return linear(ops, Var.of(ops, headNorm(ops, x_RnC, text.cond_RC(), r)), InfinityLinear.HEAD)
                .get();
    }

    // ------------------------------------------------------------------------ shared pieces

    /**
     * The input tokens of scale {@code k}: the SOS token ({@code cond + pos_start}) at scale 0, else the
     * word-embedded next-scale input.
     *
     * @param repeatable whether an input of B rows may stand for R = m·B rows (repeated), as in guided sampling;
     *     otherwise it must have exactly R rows
     */
    private <T> T scaleInput(Ops<T> ops, InfinityText<T> text, int k, int n, T x_Bnd, boolean repeatable) {
        int r = text.rows();
        if (k == 0) {
            if (x_Bnd != null) {
                throw new IllegalArgumentException("scale 0 takes no input (its token is the SOS vector)");
            }
            return ops.add(ops.reshape(text.cond_RC(), r, 1, config.embedDim()), ops.weight(POS_START.key()));
        }
        long[] xs = ops.shape(Objects.requireNonNull(x_Bnd, "x_Bnd of scale " + k));
        boolean rowsFit = repeatable ? xs.length == 3 && xs[0] >= 1 && r % xs[0] == 0 : xs.length == 3 && xs[0] == r;
        if (!rowsFit || xs[1] != n || xs[2] != config.bitsPerToken()) {
            throw ShapeMismatchException.of("x_Bnd", new long[] {r, n, config.bitsPerToken()}, xs);
        }
        T emb = linear(ops, Var.of(ops, x_Bnd), InfinityLinear.WORD_EMBED).get();
        return xs[0] == r ? emb : ops.concat(0, Collections.nCopies((int) (r / xs[0]), emb));
    }

    /** Whether the level embedding is added before block {@code i}: first block of the first or every chunk. */
    private boolean addsLevelEmbedding(int block) {
        if (block % config.blocksPerChunk() != 0) {
            return false;
        }
        return block == 0 || !config.addLevelEmbeddingOnlyFirstBlock();
    }

    /** {@code head_nm}: {@code LN(x) * (1 + scale) + shift} with (scale, shift) from SiLU(cond), as VAR's AdaLNBeforeHead. */
    private <T> T headNorm(Ops<T> ops, T x_RnC, T cond_RC, int rows) {
        List<Var<T>> scaleShift = linear(ops, Var.of(ops, cond_RC).silu(), InfinityLinear.HEAD_ADA_LIN)
                .reshape(rows, 1, 2, config.embedDim())
                .unbind(2);
        return Var.of(ops, x_RnC)
                .layerNorm((float) config.normEps())
                .mul(scaleShift.get(0).add(1f))
                .add(scaleShift.get(1))
                .get();
    }

    /** A model-level linear layer: its one bias tensor, or the concatenation of its parts. */
    private static <T> T bias(Ops<T> ops, InfinityLinear l) {
        List<T> parts = new ArrayList<>();
        for (InfinityTensor t : l.bias()) {
            parts.add(ops.weight(t.key()));
        }
        return parts.size() == 1 ? parts.get(0) : ops.concat(0, parts);
    }

    private static <T> Var<T> linear(Ops<T> ops, Var<T> x, InfinityLinear l) {
        return x.linear(l.key(), bias(ops, l));
    }

    private Rope2d rope(ScaleSchedule schedule) {
        Rope2d r = lastRope;
        if (r == null || !r.schedule().equals(schedule)) {
            r = Rope2d.of(config.requireCompatible(schedule), config.headDim());
            lastRope = r;
        }
        return r;
    }
}
