package dev.arbooth.internal.weights;

import dev.arbooth.WeightBindingException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The state dict of an Infinity transformer for an {@link InfinityConfig}, derived from the one table of
 * weight names, {@link InfinityTensor}: the expected tensors in official order, strict binding, the parameter
 * count, and the named selections the trainer and adapters use (trainable sets by {@link InfinityPart}, LoRA
 * targets by {@link InfinityLinear}).
 */
public final class InfinityWeights {
    private InfinityWeights() {}

    /**
     * The expected tensors.
     *
     * @param c the configuration
     * @return names and shapes in official state-dict order, buffers included
     */
    public static List<TensorSpec> expected(InfinityConfig c) {
        return expected(c, Integer.MAX_VALUE);
    }

    /** The expected tensors, listed into a {@link WeightBinder#boundedList} of at most {@code maxCount}. */
    private static List<TensorSpec> expected(InfinityConfig c, int maxCount) {
        List<TensorSpec> out = WeightBinder.boundedList(maxCount);
        forEach(c, (t, key) -> out.add(TensorSpec.of(key, t.shape(c))));
        return Collections.unmodifiableList(out);
    }

    /**
     * Visits every tensor of a configuration in official state-dict order.
     *
     * @param c the configuration
     * @param visitor called with each tensor's table entry and its key
     */
    public static void forEach(InfinityConfig c, BiConsumer<InfinityTensor, String> visitor) {
        for (InfinityTensor t : InfinityTensor.values()) {
            if (!t.perBlock() && t.presentIn(c)) {
                visitor.accept(t, t.key());
            }
        }
        for (int b = 0; b < c.depth(); b++) {
            for (InfinityTensor t : InfinityTensor.values()) {
                if (t.perBlock() && t.presentIn(c)) {
                    visitor.accept(t, t.key(c, b));
                }
            }
        }
    }

    /**
     * The state-dict prefix of a block, blocks numbered 0..depth-1 in chunk-major order.
     *
     * @param c the configuration
     * @param block the block index
     * @return {@code "block_chunks.{c}.module.{j}."}, or {@code "blocks.{i}."} when there is one chunk
     * @throws IndexOutOfBoundsException if {@code block} is not in 0..depth-1
     */
    public static String blockPrefix(InfinityConfig c, int block) {
        Objects.checkIndex(block, c.depth());
        if (c.blockChunks() == 1) {
            return "blocks." + block + ".";
        }
        return "block_chunks." + block / c.blocksPerChunk() + ".module." + block % c.blocksPerChunk() + ".";
    }

    /**
     * The parameters (buffers excluded) of some parts, in official order: a trainable set. {@link
     * InfinityPart#ARBOOTH} gives ARBooth's selective tuning, {@link InfinityPart#BLOCKS} every block tensor.
     *
     * @param c the configuration
     * @param parts the parts
     * @return names and shapes
     */
    public static List<TensorSpec> parameters(InfinityConfig c, Set<InfinityPart> parts) {
        List<TensorSpec> out = new ArrayList<>();
        forEach(c, (t, key) -> {
            if (!t.isBuffer() && parts.contains(t.part())) {
                out.add(TensorSpec.of(key, t.shape(c)));
            }
        });
        return Collections.unmodifiableList(out);
    }

    /**
     * The tensors an adapter of ARBooth's default tuning holds for a base configuration (format version 1 holds
     * no others; from version 2 an adapter may replace any block parameter, {@link InfinityPart#BLOCKS}): the
     * parameters of every block's cross-attention
     * and FFN ({@link InfinityPart#ARBOOTH}: {@code ca.v_bias, ca.mat_q.weight, ca.mat_q.bias, ca.mat_kv.weight,
     * ca.proj.weight, ca.proj.bias, ffn.fc1.weight, ffn.fc1.bias, ffn.fc2.weight, ffn.fc2.bias}; not {@code
     * ca_norm}, not the {@code ca.zero_k_bias} buffer), in official order.
     *
     * @param c the base configuration
     * @return names and shapes
     */
    public static List<TensorSpec> adapterTensors(InfinityConfig c) {
        return parameters(c, InfinityPart.ARBOOTH);
    }

    /**
     * The weight keys of the linear layers of some parts, in official order: LoRA targets.
     *
     * @param c the configuration
     * @param parts the parts (block parts give one layer per block)
     * @return state-dict keys of the layers' weights
     */
    public static List<String> linearWeights(InfinityConfig c, Set<InfinityPart> parts) {
        List<String> out = new ArrayList<>();
        forEach(c, (t, key) -> {
            for (InfinityLinear l : InfinityLinear.values()) {
                if (l.weight() == t && parts.contains(l.part())) {
                    out.add(key);
                }
            }
        });
        return Collections.unmodifiableList(out);
    }

    /**
     * The names of the block parameters of some parts relative to the block prefix, for messages.
     *
     * @param parts block parts
     * @return e.g. {@code "ca.v_bias, ca.mat_q.weight, ..."}
     */
    public static String partSuffixes(Set<InfinityPart> parts) {
        List<String> out = new ArrayList<>();
        for (InfinityTensor t : InfinityTensor.values()) {
            if (t.perBlock() && !t.isBuffer() && parts.contains(t.part())) {
                out.add(t.suffix());
            }
        }
        return String.join(", ", out);
    }

    /**
     * The table entry of a state-dict key.
     *
     * @param c the configuration
     * @param key an official key of this configuration
     * @return its tensor
     * @throws IllegalArgumentException if the key is not one of the configuration's
     */
    public static InfinityTensor tensorOf(InfinityConfig c, String key) {
        InfinityTensor t = find(c, key);
        if (t == null) {
            throw new IllegalArgumentException("'" + key + "' is not a tensor of the " + describe(c));
        }
        return t;
    }

    /**
     * The table entry of a key, looked up by its name alone: the cost does not grow with the depth, so a
     * configuration that claims a million blocks costs nothing until something lists them all.
     *
     * @param c the configuration
     * @param key a name
     * @return its tensor, or {@code null} if the key is not one of the configuration's
     */
    public static InfinityTensor find(InfinityConfig c, String key) {
        int block = blockOf(c, key);
        String suffix = block < 0 ? key : key.substring(blockPrefix(c, block).length());
        for (InfinityTensor t : InfinityTensor.values()) {
            if (t.perBlock() == (block >= 0) && t.suffix().equals(suffix) && t.presentIn(c)) {
                return t;
            }
        }
        return null;
    }

    /**
     * The block whose prefix a key starts with.
     *
     * @param c the configuration
     * @param key a name
     * @return the block, or -1 for a model-level key or a name that is no block prefix of this configuration
     */
    public static int blockOf(InfinityConfig c, String key) {
        String[] parts = key.split("\\.", 6);
        long block;
        try {
            if (c.blockChunks() == 1 && parts.length >= 3 && parts[0].equals("blocks")) {
                block = Long.parseLong(parts[1]);
            } else if (c.blockChunks() > 1
                    && parts.length >= 5
                    && parts[0].equals("block_chunks")
                    && parts[2].equals("module")) {
                long chunk = Long.parseLong(parts[1]);
                long j = Long.parseLong(parts[3]);
                if (chunk < 0 || chunk >= c.blockChunks() || j < 0 || j >= c.blocksPerChunk()) {
                    return -1;
                }
                block = chunk * c.blocksPerChunk() + j;
            } else {
                return -1;
            }
        } catch (NumberFormatException e) {
            return -1;
        }
        if (block < 0 || block >= c.depth() || !key.startsWith(blockPrefix(c, (int) block))) {
            return -1; // also refuses spellings such as "blocks.01." that parse but are not the prefix
        }
        return (int) block;
    }

    /**
     * Whether a state-dict entry is a buffer rather than a parameter.
     *
     * @param name an official tensor name
     * @return true for the always-zero {@code zero_k_bias} buffers
     */
    public static boolean isBuffer(String name) {
        return name.equals("zero_k_bias") || name.endsWith(".zero_k_bias");
    }

    /**
     * The number of parameters (buffers excluded).
     *
     * @param c the configuration
     * @return the sum of the parameters' element counts
     */
    public static long parameterCount(InfinityConfig c) {
        long n = 0;
        for (TensorSpec s : expected(c)) {
            if (!isBuffer(s.name())) {
                n = Math.addExact(n, Tensor.numel(s.shape()));
            }
        }
        return n;
    }

    /**
     * A description of the model for error messages.
     *
     * @param c the configuration
     * @return e.g. {@code "Infinity transformer (depth 2, width 128, 2 heads, FFN 512, Ct5 256, 16 bits/token)"}
     */
    public static String describe(InfinityConfig c) {
        return "Infinity transformer (depth " + c.depth() + ", width " + c.embedDim() + ", " + c.numHeads()
                + " heads, FFN " + c.ffnHidden() + ", Ct5 " + c.textChannels() + ", " + c.bitsPerToken()
                + " bits/token)";
    }

    /**
     * Binds a checkpoint strictly ({@link WeightBinder#bindStrict}).
     *
     * @param c the configuration
     * @param checkpoint the state dict
     * @return the tensors in official order
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static Map<String, Tensor> bind(InfinityConfig c, StateDict checkpoint) {
        String what = describe(c);
        return WeightBinder.bindStrict(
                what, WeightBinder.expectedAtMost(what, checkpoint, max -> expected(c, max)), checkpoint);
    }
}
