package dev.arbooth.train.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch's fused scaled-dot-product attention ({@code torch.scaled_dot_product_attention}: on the CPU the
 * flash-attention kernel, with a backward of its own) for DJL, whose {@code NDArray} API has no such operation.
 *
 * <p>The composed form ({@code softmax(q·kᵀ)·v} as three operations) writes the scores and the probabilities to
 * memory and reads them back, and autograd keeps the probabilities of every chunk for the backward; the fused
 * kernel works on tiles that stay in cache and keeps only the output and one log-sum-exp per query. At the mid
 * configuration a block's block-causal self-attention, forward and backward, takes about 0.4 of the composed
 * chunks' time ({@code docs/benchmarks.md}, "Fused attention").
 *
 * <p>How: a TorchScript module whose only method calls the operation, assembled here in memory (the archive's four
 * small entries: the method's source, a pickled module object, no constants, the format version) and loaded once
 * per process through DJL's TorchScript support, which runs it on the same libtorch, threads and autograd as every
 * other operation. Loading needs nothing from the network or the file system. Where it fails (an engine without
 * TorchScript), {@link #shared()} is empty and the callers keep the composed form; {@code
 * -Darbooth.attention=composed} asks for the composed form everywhere (benchmarks, A/B runs).
 *
 * <p>The module is a process-wide native resource that lives as long as the engine (like the engine itself, it is
 * never closed). Thread-safe: the TorchScript interpreter is reentrant.
 */
final class FusedAttention {
    /** The system property that selects the attention ({@code fused}, the default, or {@code composed}). */
    static final String PROPERTY = "arbooth.attention";

    private static final Logger LOG = LoggerFactory.getLogger(FusedAttention.class);

    private static final String CODE = "class Attention(Module):\n"
            + "  __parameters__ = []\n"
            + "  __buffers__ = []\n"
            + "  training : bool\n"
            + "  def forward(self: __torch__.Attention,\n"
            + "    q: Tensor,\n"
            + "    k: Tensor,\n"
            + "    v: Tensor) -> Tensor:\n"
            + "    return torch.scaled_dot_product_attention(q, k, v, None, 0., False, scale=1.)\n";

    private final PtSymbolBlock module;
    private final NDManager manager;

    private FusedAttention(NDManager manager, PtSymbolBlock module) {
        this.manager = manager;
        this.module = module;
    }

    private static final class Holder {
        static final Optional<FusedAttention> SHARED = load(System.getProperty(PROPERTY, "fused"));
    }

    /**
     * The process's fused attention, unless {@code -Darbooth.attention=composed} or the engine cannot load it.
     *
     * @return the kernel, or empty
     */
    static Optional<FusedAttention> shared() {
        return Holder.SHARED;
    }

    /**
     * Loads a fused attention (a module of its own; {@link #shared()} is the process's).
     *
     * @param mode {@code fused} or {@code composed}
     * @return the kernel; empty for {@code composed} or where it does not load
     * @throws IllegalArgumentException for another mode
     */
    static Optional<FusedAttention> load(String mode) {
        if (mode.equals("composed")) {
            LOG.info("attention: composed (-D{}=composed)", PROPERTY);
            return Optional.empty();
        }
        if (!mode.equals("fused")) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be fused or composed, got '" + mode + "'");
        }
        NDManager m = Engine.getEngine("PyTorch").newBaseManager();
        try {
            PtSymbolBlock block =
                    JniUtils.loadModule((PtNDManager) m, new ByteArrayInputStream(archive()), false, false);
            return Optional.of(new FusedAttention(m, block));
        } catch (RuntimeException | IOException e) {
            m.close();
            LOG.warn("attention: composed (the fused kernel did not load: {})", e.toString());
            return Optional.empty();
        }
    }

    /**
     * {@code softmax(q·kᵀ)·v} per row and head, no mask, no scaling (the caller scales the queries).
     *
     * @param q_BHnd queries {@code (B, H, n, d)}, last axis contiguous
     * @param k_BHSd keys {@code (B, H, S, d)}
     * @param v_BHSd values {@code (B, H, S, d)}
     * @param owner the manager the output is attached to
     * @return {@code (B, H, n, d)}; recorded for autograd where the inputs require gradients
     */
    NDArray attend(NDArray q_BHnd, NDArray k_BHSd, NDArray v_BHSd, NDManager owner) {
        // always in training mode, so that the module's mode never flips between callers on different threads;
        // autograd records only where the inputs require gradients (inside a GradientCollector)
        NDArray out = module.forward(new ParameterStore(owner, false), new NDList(q_BHnd, k_BHSd, v_BHSd), true)
                .singletonOrThrow();
        out.attach(owner);
        return out;
    }

    @Override
    public String toString() {
        return "FusedAttention[torch.scaled_dot_product_attention via TorchScript, " + manager.getDevice() + "]";
    }

    /** The TorchScript archive: a zip of stored entries under one directory. */
    private static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "attention/data.pkl", moduleObject());
            stored(zip, "attention/code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
            // protocol 2, an empty tuple: no tensor constants
            stored(zip, "attention/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, "attention/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /** Pickle (protocol 2) of an {@code __torch__.Attention} object whose state is {@code {"training": True}}. */
    private static byte[] moduleObject() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO 2
        p.write(2);
        p.writeBytes("c__torch__\nAttention\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        p.writeBytes(new byte[] {'q', 0}); // BINPUT 0
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        p.write('('); // MARK
        byte[] key = "training".getBytes(StandardCharsets.UTF_8);
        p.write('X'); // BINUNICODE, 4-byte little-endian length
        p.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
        p.writeBytes(key);
        p.writeBytes(new byte[] {'q', 1}); // BINPUT 1
        p.write(0x88); // NEWTRUE
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.writeBytes(new byte[] {'q', 2}); // BINPUT 2
        p.write('.'); // STOP
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
