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
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PyTorch operation that DJL's {@code NDArray} API lacks, reached through DJL's TorchScript support: a module
 * whose only method, {@code forward}, returns the operation's result, assembled here in memory and loaded once.
 *
 * <p>The archive holds four small entries: the method's source ({@code code/__torch__.py}), a pickled module object
 * whose state is {@code {"training": True}} ({@code data.pkl}), no tensor constants, the format version (10, that of
 * the archives libtorch 2 writes). Loading needs nothing from the network or the file system; the module runs on the
 * same libtorch, threads and autograd as every other operation, so a call inside a {@code GradientCollector} is
 * recorded with the operation's own backward.
 *
 * <p>Each op selects itself with a system property ({@code fused}, the default, or {@code composed}); where loading
 * fails (an engine without TorchScript) the op is empty and callers keep their composed form. A module is a
 * process-wide native resource that lives as long as the engine (never closed). Thread-safe: the TorchScript
 * interpreter is reentrant, and the module is always called in training mode, so its mode never flips between
 * callers on different threads.
 */
final class ScriptedOp {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptedOp.class);

    private final String description;
    private final PtSymbolBlock module;
    private final NDManager manager;

    private ScriptedOp(String description, NDManager manager, PtSymbolBlock module) {
        this.description = description;
        this.manager = manager;
        this.module = module;
    }

    /**
     * Loads an op.
     *
     * @param mode {@code fused} or {@code composed} (the value of {@code property}, which names it in messages)
     * @param property the system property that selects the op ({@code fused}, the default, or {@code composed})
     * @param what what the op is, for the log ("attention", "GELU")
     * @param className the module's class name (a Python identifier)
     * @param signature the parameters of {@code forward} after {@code self}, e.g. {@code "x: Tensor"}
     * @param body the expression {@code forward} returns, e.g. {@code "torch.gelu(x, approximate=\"tanh\")"}
     * @return the op; empty for {@code composed} or where the module does not load
     * @throws IllegalArgumentException for another mode
     */
    static Optional<ScriptedOp> load(
            String mode, String property, String what, String className, String signature, String body) {
        if (mode.equals("composed")) {
            LOG.info("{}: composed (-D{}=composed)", what, property);
            return Optional.empty();
        }
        if (!mode.equals("fused")) {
            throw new IllegalArgumentException("-D" + property + " must be fused or composed, got '" + mode + "'");
        }
        String code = "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  def forward(self: __torch__." + className + ",\n"
                + "    " + signature + ") -> Tensor:\n"
                + "    return " + body + "\n";
        NDManager m = Engine.getEngine("PyTorch").newBaseManager();
        try {
            PtSymbolBlock block = JniUtils.loadModule(
                    (PtNDManager) m, new ByteArrayInputStream(archive(className, code)), false, false);
            return Optional.of(new ScriptedOp(body, m, block));
        } catch (RuntimeException | IOException e) {
            m.close();
            LOG.warn("{}: composed (the fused module did not load: {})", what, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Calls the op.
     *
     * @param owner the manager the output is attached to
     * @param inputs the arguments of {@code forward}, in order
     * @return the result; recorded for autograd where an input requires gradients
     */
    NDArray call(NDManager owner, NDArray... inputs) {
        NDArray out = module.forward(new ParameterStore(owner, false), new NDList(inputs), true)
                .singletonOrThrow();
        out.attach(owner);
        return out;
    }

    @Override
    public String toString() {
        return "ScriptedOp[" + description + " via TorchScript, " + manager.getDevice() + "]";
    }

    /** The TorchScript archive: a zip of stored entries under one directory. */
    private static byte[] archive(String className, String code) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String dir = className.toLowerCase(Locale.ROOT);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, dir + "/data.pkl", moduleObject(className));
            stored(zip, dir + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            // protocol 2, an empty tuple: no tensor constants
            stored(zip, dir + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            // the format version: 10, so that operators resolve to their present schemas (at an older version the
            // loader applies its upgraders and takes e.g. gelu as it was before it had `approximate`)
            stored(zip, dir + "/version", "10\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /** Pickle (protocol 2) of a {@code __torch__.<className>} object whose state is {@code {"training": True}}. */
    private static byte[] moduleObject(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO 2
        p.write(2);
        p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
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
