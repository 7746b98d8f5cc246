package dev.arbooth.toyworld.internal;

import dev.arbooth.FormatException;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves and loads {@link ProbeNet} weights as a safetensors file of float16 tensors named like {@link
 * ProbeNet#PARAMETER_NAMES}, with provenance in the metadata. Loading checks every name and shape.
 */
public final class ProbeWeights {
    /** The bundled weights, a class-path resource. */
    public static final String RESOURCE = "/dev/arbooth/toyworld/probes.safetensors";

    private ProbeWeights() {}

    /**
     * A network and the metadata it was stored with.
     *
     * @param net the network
     * @param metadata provenance (training command, seed, options, validation figures)
     */
    public record Loaded(ProbeNet net, Map<String, String> metadata) {}

    /**
     * Rounds every parameter to float16 precision (what {@link #save} stores), in place.
     *
     * @param net the network
     */
    public static void roundToHalf(ProbeNet net) {
        for (float[] p : net.parameters()) {
            for (int i = 0; i < p.length; i++) {
                p[i] = halfToFloat(toHalf(p[i]));
            }
        }
    }

    /**
     * Writes the weights (float16) and metadata, atomically.
     *
     * @param net the network
     * @param metadata provenance strings
     * @param file the target
     */
    public static void save(ProbeNet net, Map<String, String> metadata, Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        float[][] params = net.parameters();
        for (int i = 0; i < params.length; i++) {
            ByteBuffer b = ByteBuffer.allocate(2 * params[i].length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : params[i]) {
                b.putShort(toHalf(v));
            }
            b.flip();
            tensors.put(ProbeNet.PARAMETER_NAMES[i], Tensor.of(DType.F16, ProbeNet.PARAMETER_SHAPES[i], b));
        }
        SafeTensors.write(file, tensors, metadata);
    }

    /**
     * Loads weights from a file.
     *
     * @param file a safetensors file written by {@link #save}
     * @return the network and its metadata
     * @throws FormatException if a tensor is missing, extra or misshapen
     */
    public static Loaded load(Path file) {
        try (SafeTensors st = SafeTensors.open(file)) {
            ProbeNet net = new ProbeNet();
            float[][] params = net.parameters();
            if (!st.names().equals(new java.util.HashSet<>(Arrays.asList(ProbeNet.PARAMETER_NAMES)))) {
                throw new FormatException(
                        file,
                        "probe weights must hold exactly " + Arrays.toString(ProbeNet.PARAMETER_NAMES) + ", found "
                                + st.names());
            }
            for (int i = 0; i < params.length; i++) {
                String name = ProbeNet.PARAMETER_NAMES[i];
                if (!Arrays.equals(st.shape(name), ProbeNet.PARAMETER_SHAPES[i])) {
                    throw new FormatException(
                            file,
                            "probe tensor " + name + " has shape "
                                    + Arrays.toString(st.shape(name)) + ", expected "
                                    + Arrays.toString(ProbeNet.PARAMETER_SHAPES[i]));
                }
                float[] v = st.get(name).toFloatArray();
                System.arraycopy(v, 0, params[i], 0, v.length);
            }
            return new Loaded(net, new LinkedHashMap<>(st.metadata()));
        }
    }

    /**
     * Loads the bundled weights from the class path.
     *
     * @return the network and its metadata
     * @throws FormatException if the resource is missing or invalid
     */
    public static Loaded loadBundled() {
        try (InputStream in = ProbeWeights.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new FormatException(
                        null,
                        "the bundled probe weights " + RESOURCE
                                + " are missing from the class path (train them with ProbeTrainer; see docs/toy-world.md)");
            }
            Path tmp = Files.createTempFile("arbooth-probes", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled probe weights " + RESOURCE, e);
        }
    }

    /** Float to IEEE binary16 bits, round to nearest even. */
    static short toHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mant = bits & 0x7FFFFF;
        if (((bits >>> 23) & 0xFF) == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
        }
        if (exp >= 31) {
            return (short) (sign | 0x7C00);
        }
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - exp;
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exp << 10) | (mant >>> 13);
        int rem = mant & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** IEEE binary16 bits to float (exact). */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
