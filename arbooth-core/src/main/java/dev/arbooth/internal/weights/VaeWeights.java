package dev.arbooth.internal.weights;

import dev.arbooth.ArboothException;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state dict of a BSQ multi-scale VAE: every tensor name and shape the official {@code
 * AutoEncoder.state_dict()} holds for a {@link VaeConfig}, in official order, and the two spellings
 * checkpoints use for them.
 *
 * <p><b>Official names</b> (what {@code state_dict()} writes): convolutions are wrapped by the official
 * {@code Conv} module and GroupNorms by {@code Normalize}, which adds a level: {@code
 * decoder.conv_in.conv.weight}, {@code encoder.down.0.block.0.norm1.norm.weight}, {@code
 * decoder.up.1.upsample.conv.conv.bias}. With {@code ch(i)} the width of level {@code i}, d the code width
 * and {@code B(p, in, out)} a ResnetBlock ({@code p.norm1.norm.{weight,bias} [in]}, {@code
 * p.conv1.conv.weight [out, in, 3, 3]}, {@code .bias [out]}, {@code p.norm2.norm.* [out]}, {@code
 * p.conv2.conv.* [out, out, 3, 3]}, and when {@code in != out} {@code p.nin_shortcut.conv.weight [out, in, 1,
 * 1]} with its bias):
 *
 * <pre>
 * encoder.conv_in.conv [ch0, 3, 3, 3]
 * encoder.down.{i}.block.{j}  B(.., j == 0 ? (i == 0 ? base : ch(i-1)) : ch(i), ch(i))   j &lt; numResBlocks
 * encoder.down.{i}.downsample.conv.conv [ch(i), ch(i), 3, 3]                        i &lt; log2(patch)
 * encoder.mid.block_1, encoder.mid.block_2  B(.., ch(last), ch(last))
 * encoder.norm_out.norm [ch(last)]   encoder.conv_out.conv [d, ch(last), 3, 3]
 * decoder.conv_in.conv [ch(last), d, 3, 3]   decoder.mid.block_1, decoder.mid.block_2
 * decoder.up.{i}.block.{j}  B(.., j == 0 ? ch(i+1) (ch(last) for the last level) : ch(i), ch(i))   j &lt;= numResBlocks
 * decoder.up.{i}.upsample.conv.conv [ch(i), ch(i), 3, 3]                      1 &lt;= i &lt;= log2(patch)
 * decoder.norm_out.norm [ch0]   decoder.conv_out.conv [3, ch0, 3, 3]
 * quantizer.lfq.mask, quantize.lfq.mask  int64 [d]   (one buffer 2^(d-1-i), listed under both names)
 * </pre>
 *
 * <p><b>Plain names</b>: some checkpoints store the same tensors without the wrapper level ({@code
 * decoder.conv_in.weight}, {@code ….norm1.weight}, {@code decoder.up.1.upsample.conv.bias}); the official
 * loader ({@code bsq_vae/vae.py::load_cnn}) accepts both, and so does {@link #bind}: {@link #normalize}
 * renames plain names to official ones, {@link #keyStyle} tells which spelling a checkpoint uses.
 */
public final class VaeWeights {
    private VaeWeights() {}

    /** The spelling of a VAE checkpoint's convolution and GroupNorm tensor names. */
    public enum KeyStyle {
        /** Official names only ({@code decoder.conv_in.conv.weight}). */
        OFFICIAL,
        /** Plain names only ({@code decoder.conv_in.weight}). */
        PLAIN,
        /** Both spellings occur. */
        MIXED,
        /** No convolution or GroupNorm tensor of this configuration was recognised under either spelling. */
        UNKNOWN
    }

    /** The name of the quantizer's bit-weight buffer. */
    public static final String QUANTIZER_MASK = "quantizer.lfq.mask";

    /** The same buffer under the alias {@code AutoEncoder.quantize}. */
    public static final String QUANTIZE_MASK = "quantize.lfq.mask";

    /**
     * The expected tensors.
     *
     * @param c the configuration
     * @return names (official spelling) and shapes in official state-dict order
     */
    public static List<TensorSpec> expected(VaeConfig c) {
        return expected(c, Integer.MAX_VALUE);
    }

    /** The expected tensors, listed into a {@link WeightBinder#boundedList} of at most {@code maxCount}. */
    private static List<TensorSpec> expected(VaeConfig c, int maxCount) {
        List<TensorSpec> out = WeightBinder.boundedList(maxCount);
        long d = c.codebookDim();
        int levels = c.levels();
        // encoder
        conv(out, "encoder.conv_in", c.baseChannels(), VaeConfig.IMAGE_CHANNELS, 3);
        int blockIn = c.baseChannels();
        for (int i = 0; i < levels; i++) {
            int ch = c.channels(i);
            for (int j = 0; j < c.numResBlocks(); j++) {
                resnet(out, "encoder.down." + i + ".block." + j, blockIn, ch);
                blockIn = ch;
            }
            if (c.downsamplesAt(i)) {
                conv(out, "encoder.down." + i + ".downsample.conv", ch, ch, 3);
            }
        }
        resnet(out, "encoder.mid.block_1", blockIn, blockIn);
        resnet(out, "encoder.mid.block_2", blockIn, blockIn);
        norm(out, "encoder.norm_out", blockIn);
        conv(out, "encoder.conv_out", d, blockIn, 3);
        // decoder
        blockIn = c.deepestChannels();
        conv(out, "decoder.conv_in", blockIn, d, 3);
        resnet(out, "decoder.mid.block_1", blockIn, blockIn);
        resnet(out, "decoder.mid.block_2", blockIn, blockIn);
        // up.{i} are registered in index order (the official code prepends while iterating in reverse)
        int[] upIn = new int[levels];
        int in = c.deepestChannels();
        for (int i = levels - 1; i >= 0; i--) {
            upIn[i] = in;
            in = c.channels(i);
        }
        for (int i = 0; i < levels; i++) {
            int ch = c.channels(i);
            int bi = upIn[i];
            for (int j = 0; j < c.decoderResBlocks(); j++) {
                resnet(out, "decoder.up." + i + ".block." + j, bi, ch);
                bi = ch;
            }
            if (c.upsamplesAt(i)) {
                conv(out, "decoder.up." + i + ".upsample.conv", ch, ch, 3);
            }
        }
        norm(out, "decoder.norm_out", c.channels(0));
        conv(out, "decoder.conv_out", VaeConfig.IMAGE_CHANNELS, c.channels(0), 3);
        // quantizer buffer, twice (AutoEncoder.quantize is AutoEncoder.quantizer)
        out.add(TensorSpec.of(QUANTIZER_MASK, d));
        out.add(TensorSpec.of(QUANTIZE_MASK, d));
        return Collections.unmodifiableList(out);
    }

    private static void conv(List<TensorSpec> out, String module, long cout, long cin, long k) {
        out.add(TensorSpec.of(module + ".conv.weight", cout, cin, k, k));
        out.add(TensorSpec.of(module + ".conv.bias", cout));
    }

    private static void norm(List<TensorSpec> out, String module, long channels) {
        out.add(TensorSpec.of(module + ".norm.weight", channels));
        out.add(TensorSpec.of(module + ".norm.bias", channels));
    }

    private static void resnet(List<TensorSpec> out, String p, int cin, int cout) {
        norm(out, p + ".norm1", cin);
        conv(out, p + ".conv1", cout, cin, 3);
        norm(out, p + ".norm2", cout);
        conv(out, p + ".conv2", cout, cout, 3);
        if (cin != cout) {
            conv(out, p + ".nin_shortcut", cout, cin, 1);
        }
    }

    /**
     * The plain spelling of an official name: the wrapper level {@code .conv} or {@code .norm} before the
     * final {@code .weight}/{@code .bias} removed.
     *
     * @param official an official name
     * @return the plain name ({@code decoder.conv_in.weight}), or {@code official} itself for names without a
     *     wrapper level (the quantizer buffers)
     */
    public static String plainName(String official) {
        for (String suffix : new String[] {".conv.weight", ".conv.bias", ".norm.weight", ".norm.bias"}) {
            if (official.endsWith(suffix)) {
                String last = suffix.substring(suffix.lastIndexOf('.'));
                return official.substring(0, official.length() - suffix.length()) + last;
            }
        }
        return official;
    }

    /**
     * Which spelling a checkpoint uses.
     *
     * @param c the configuration the checkpoint is for
     * @param checkpoint the checkpoint
     * @return {@link KeyStyle#OFFICIAL}, {@link KeyStyle#PLAIN}, {@link KeyStyle#MIXED} or {@link
     *     KeyStyle#UNKNOWN}
     */
    public static KeyStyle keyStyle(VaeConfig c, StateDict checkpoint) {
        Set<String> names = checkpoint.names();
        boolean official = false;
        boolean plain = false;
        for (TensorSpec s : expectedFor(c, checkpoint)) {
            String p = plainName(s.name());
            if (p.equals(s.name())) {
                continue;
            }
            official |= names.contains(s.name());
            plain |= names.contains(p);
        }
        if (official && plain) {
            return KeyStyle.MIXED;
        }
        if (official) {
            return KeyStyle.OFFICIAL;
        }
        return plain ? KeyStyle.PLAIN : KeyStyle.UNKNOWN;
    }

    /**
     * The checkpoint with every plain name of this configuration renamed to its official spelling (other
     * names are kept as they are, so that strict binding still reports them). Reads no tensor data.
     *
     * @param c the configuration
     * @param checkpoint the checkpoint
     * @return a view with official names, in the checkpoint's order
     * @throws ArboothException if a tensor is stored under both spellings
     */
    public static StateDict normalize(VaeConfig c, StateDict checkpoint) {
        Map<String, String> plainToOfficial = new HashMap<>();
        for (TensorSpec s : expectedFor(c, checkpoint)) {
            String p = plainName(s.name());
            if (!p.equals(s.name())) {
                plainToOfficial.put(p, s.name());
            }
        }
        Map<String, String> officialToStored = new LinkedHashMap<>();
        for (String stored : checkpoint.names()) {
            String official = plainToOfficial.getOrDefault(stored, stored);
            String previous = officialToStored.putIfAbsent(official, stored);
            if (previous != null) {
                throw new ArboothException("VAE checkpoint stores '" + official + "' twice, as '" + previous
                        + "' and as '" + stored + "' (official and plain spellings)");
            }
        }
        if (officialToStored.keySet().equals(checkpoint.names())) {
            return checkpoint;
        }
        return new Renamed(checkpoint, officialToStored);
    }

    /**
     * Whether a state-dict entry is a buffer rather than a parameter.
     *
     * @param name an official tensor name
     * @return true for the quantizer's {@code lfq.mask} buffers
     */
    public static boolean isBuffer(String name) {
        return name.equals(QUANTIZER_MASK) || name.equals(QUANTIZE_MASK);
    }

    /**
     * The number of parameters (buffers excluded).
     *
     * @param c the configuration
     * @return the sum of the parameters' element counts
     */
    public static long parameterCount(VaeConfig c) {
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
     * @return e.g. {@code "BSQ VAE (base 32, ch_mult [1, 1, 2, 2], 2 res blocks, d 16, stride 8)"}
     */
    public static String describe(VaeConfig c) {
        return "BSQ VAE (base " + c.baseChannels() + ", ch_mult " + c.channelMultipliers() + ", " + c.numResBlocks()
                + " res blocks, d " + c.codebookDim() + ", stride " + c.patchSize() + ")";
    }

    /**
     * Binds a checkpoint strictly: plain names are first renamed ({@link #normalize}), then every expected
     * tensor must be present with its shape and nothing else may be ({@link WeightBinder#bindStrict}).
     *
     * @param c the configuration
     * @param checkpoint the state dict (e.g. {@code Checkpoints.open(path, "vae")})
     * @return the tensors in official order under official names
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static Map<String, Tensor> bind(VaeConfig c, StateDict checkpoint) {
        StateDict normalized = normalize(c, checkpoint);
        return WeightBinder.bindStrict(describe(c), expectedFor(c, normalized), normalized);
    }

    /**
     * The expected tensors, refused once they outnumber the checkpoint's by far ({@link
     * WeightBinder#expectedAtMost}).
     */
    private static List<TensorSpec> expectedFor(VaeConfig c, StateDict checkpoint) {
        return WeightBinder.expectedAtMost(describe(c), checkpoint, max -> expected(c, max));
    }

    /** A renaming view of a state dict. */
    private static final class Renamed implements StateDict {
        private final StateDict delegate;
        private final Map<String, String> officialToStored;
        private final Set<String> names;

        Renamed(StateDict delegate, Map<String, String> officialToStored) {
            this.delegate = delegate;
            this.officialToStored = officialToStored;
            this.names = Collections.unmodifiableSet(new LinkedHashSet<>(officialToStored.keySet()));
        }

        private String stored(String name) {
            String s = officialToStored.get(name);
            if (s == null) {
                throw new ArboothException(
                        "No tensor named '" + name + "' (the state dict has " + names.size() + " tensors)");
            }
            return s;
        }

        @Override
        public Set<String> names() {
            return names;
        }

        @Override
        public DType dtype(String name) {
            return delegate.dtype(stored(name));
        }

        @Override
        public long[] shape(String name) {
            return delegate.shape(stored(name));
        }

        @Override
        public Tensor get(String name) {
            return delegate.get(stored(name));
        }
    }
}
