package dev.arbooth.runtime.internal;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.ArboothException;
import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.io.LibraryVersion;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.runtime.internal.onnx.InfinityGraphs;
import dev.arbooth.runtime.internal.onnx.OnnxGraph;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import dev.arbooth.runtime.internal.onnx.T5Graph;
import dev.arbooth.runtime.internal.onnx.VaeGraphs;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.internal.T5Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a base model with an adapter fused in as a self-contained directory of ONNX models and a JSON
 * description of the sampling loop ({@value #DESCRIPTION}); {@code dev.arbooth.runtime.OnnxExport} is the public
 * entry point and documents the layout. The graphs are the ones the generator emits, serialized with their
 * weights as ONNX standard external data in three raw little-endian float32 files (each tensor at a 4096-byte
 * aligned offset). The directory is written beside the target under a temporary name and renamed into place,
 * so the target is never a partial export.
 */
public final class OnnxExportWriter {
    /** The description file's name. */
    public static final String DESCRIPTION = "arbooth-onnx.json";

    /** The value of the description's {@code format} field. */
    public static final String FORMAT = "arbooth-onnx-export";

    /** The export format version this library writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /** The transformer's weights file (adapter fused in). */
    public static final String INFINITY_WEIGHTS = "infinity.weights";

    /** The text encoder's weights file. */
    public static final String T5_WEIGHTS = "t5.weights";

    /** The VAE decoder's weights file. */
    public static final String VAE_WEIGHTS = "vae.weights";

    /** The identifier rows' file (float32, little-endian, (P, Ct5)). */
    public static final String IDENTIFIER_ROWS = "identifier_rows.f32";

    /** The tokenizer's file (a copy of the base's). */
    public static final String TOKENIZER = "tokenizer.json";

    /** The alignment of every tensor in a weights file. */
    static final int ALIGNMENT = 4096;

    /**
     * What an export holds besides the model.
     *
     * @param imagesPerPass B: the images of one prompt each graph samples at once
     * @param maxPromptTokens the longest prompt (in tokens, {@code </s>} included) the text graphs are written for
     * @param sampling the sampling defaults recorded in the description (they also fix whether the graphs run
     *     guidance: R = 2B rows when {@link SamplingOptions#guides(int)})
     */
    public record Settings(int imagesPerPass, int maxPromptTokens, SamplingOptions sampling) {
        /**
         * Validates.
         *
         * @param imagesPerPass at least 1
         * @param maxPromptTokens at least 1
         * @param sampling not null
         */
        public Settings {
            if (imagesPerPass < 1) {
                throw new IllegalArgumentException("imagesPerPass must be at least 1, got " + imagesPerPass);
            }
            if (maxPromptTokens < 1) {
                throw new IllegalArgumentException("maxPromptTokens must be at least 1, got " + maxPromptTokens);
            }
            Objects.requireNonNull(sampling, "sampling");
        }
    }

    private OnnxExportWriter() {}

    /**
     * Writes an export.
     *
     * @param base the base model
     * @param adapter the adapter fused in, or {@code null} for the base alone
     * @param target the directory to create (or to replace, if it holds an earlier export)
     * @param settings the batch, prompt lengths and sampling defaults
     * @return {@code target}
     * @throws ArboothException if the base or adapter cannot be exported (an ONNX text encoder, a prompt length
     *     beyond the model's), the adapter belongs to another base, the target exists and is not an export, or
     *     writing fails (nothing is left behind then)
     */
    public static Path write(BaseModel base, Adapter adapter, Path target, Settings settings) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(settings, "settings");
        if (base.textEncoderIsOnnx()) {
            throw new ArboothException("Cannot export this base: its text encoder is an ONNX file ("
                    + base.textEncoderWeights() + "), whose graph this library did not emit; export a base whose"
                    + " T5 encoder is a checkpoint");
        }
        InfinityConfig config = base.infinity();
        int maxTokens = Math.min(config.textMaxLength(), base.textEncoder().textMaxLength());
        if (settings.maxPromptTokens() > maxTokens) {
            throw new ArboothException(
                    "maxPromptTokens " + settings.maxPromptTokens() + " exceeds what the base takes ("
                            + maxTokens + ": the transformer's text_maxlen " + config.textMaxLength()
                            + " and the text encoder's " + base.textEncoder().textMaxLength() + ")");
        }
        settings.sampling().requireScales(base.schedule().size());
        Path dir = target.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        if (parent == null) {
            throw new ArboothException("Cannot export into the file-system root " + dir);
        }
        checkTarget(dir);
        Path tmp = parent.resolve("." + dir.getFileName() + ".export-" + UUID.randomUUID());
        try {
            Files.createDirectories(parent);
            Files.createDirectory(tmp);
            writeInto(base, adapter, tmp, settings);
            syncDirectory(tmp);
            moveIntoPlace(tmp, dir);
            return target;
        } catch (IOException e) {
            throw new ArboothException("Cannot write the ONNX export " + dir + ": " + e, e);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Refuses a target that exists and is neither an empty directory nor an earlier export. */
    private static void checkTarget(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new ArboothException("Cannot export into " + dir + ": it exists and is not a directory");
        }
        if (Files.isRegularFile(dir.resolve(DESCRIPTION))) {
            return; // an earlier export, replaced as a whole
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new ArboothException("Cannot export into " + dir + ": the directory is not empty and holds no"
                        + " earlier export (" + DESCRIPTION + "); choose a new or empty directory");
            }
        } catch (IOException e) {
            throw new ArboothException("Cannot read the export target " + dir + ": " + e, e);
        }
    }

    /**
     * Renames the finished directory into place: directly if the target is absent (or an empty directory),
     * otherwise the earlier export is renamed aside first and deleted after, so the target is at every moment
     * absent, the old export or the new one, never partial.
     */
    private static void moveIntoPlace(Path tmp, Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try {
                Files.delete(dir); // an empty directory
            } catch (DirectoryNotEmptyException e) {
                Path old = dir.resolveSibling("." + dir.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException moveFailed) {
                    Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
                    throw moveFailed;
                }
                deleteTree(old);
                syncDirectory(dir.getParent());
                return;
            }
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new ArboothException("Cannot export into " + dir + ": it was created by someone else meanwhile", e);
        }
        syncDirectory(dir.getParent());
    }

    // ------------------------------------------------------------------------------------------- contents

    private static void writeInto(BaseModel base, Adapter adapter, Path dir, Settings settings) throws IOException {
        InfinityConfig config = base.infinity();
        ScaleSchedule schedule = base.schedule();
        int b = settings.imagesPerPass();
        boolean guided = settings.sampling().guides(schedule.size());
        int rows = guided ? 2 * b : b;
        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT);
        json.addProperty("format_version", FORMAT_VERSION);
        json.addProperty("library_version", LibraryVersion.get());
        json.addProperty("onnx_ir_version", OnnxGraph.IR_VERSION);
        json.addProperty("onnx_opset", OnnxGraph.OPSET);
        try (CheckpointFile tf = Checkpoints.open(base.transformerWeights());
                CheckpointFile t5File = Checkpoints.open(base.textEncoderWeights());
                CheckpointFile vaeFile = Checkpoints.open(base.vaeWeights());
                T5Tokenizer tokenizer =
                        T5Tokenizer.open(base.tokenizer(), base.textEncoder().textMaxLength())) {
            // 1. the transformer's weights with the adapter's tensors in place of the base's
            Map<String, Tensor> transformer = new LinkedHashMap<>(InfinityWeights.bind(config, tf));
            BaseFingerprint fingerprint = BaseFingerprint.of(config, transformer);
            json.addProperty("base_fingerprint", fingerprint.value());
            json.add("infinity_config", JsonParser.parseString(config.toJson()));
            long[] identifierIds = null;
            if (adapter != null) {
                adapter.checkCompatible(fingerprint);
                identifierIds = tokenizer.encodeWord(adapter.identifier());
                if (adapter.identifierEmbedding().dim(0) != identifierIds.length) {
                    throw new ArboothException("The adapter's identifier embedding has "
                            + adapter.identifierEmbedding().dim(0) + " rows but the base's tokenizer splits '"
                            + adapter.identifier() + "' into " + identifierIds.length + " tokens "
                            + Arrays.toString(identifierIds));
                }
                adapter.tensors().forEach((name, t) -> {
                    if (transformer.replace(name, t) == null) {
                        throw new ArboothException("adapter tensor '" + name + "' is not in the base");
                    }
                });
            }
            Map<String, Tensor> t5 = T5Weights.bind(base.textEncoder(), t5File);
            Map<String, Tensor> vae = VaeWeights.bind(base.vae(), VaeWeights.normalize(base.vae(), vaeFile));

            // 2. the graphs, as the generator emits them
            Module text = new Module(T5_WEIGHTS, t5);
            Module inf = new Module(INFINITY_WEIGHTS, transformer);
            Module dec = new Module(VAE_WEIGHTS, vae);
            int maxTokens = settings.maxPromptTokens();
            List<String> t5Files = new ArrayList<>();
            List<String> prologueFiles = new ArrayList<>();
            for (int n = 1; n <= maxTokens; n++) {
                t5Files.add(text.add(
                        String.format("t5_encoder_len%03d.onnx", n),
                        T5Graph.emit(base.textEncoder(), text::shape, 1, n)));
                int[] lens = new int[b];
                Arrays.fill(lens, n);
                prologueFiles.add(inf.add(
                        String.format("infinity_prologue_len%03d.onnx", n),
                        InfinityGraphs.prologue(config, inf::shape, lens, guided)));
            }
            List<String> stepFiles = new ArrayList<>();
            for (int k = 0; k < schedule.size(); k++) {
                stepFiles.add(inf.add(
                        String.format("infinity_step_%02d.onnx", k),
                        InfinityGraphs.step(config, inf::shape, schedule, k, rows, b)));
            }
            Scale last = schedule.get(schedule.size() - 1);
            String decoderFile =
                    dec.add("vae_decoder.onnx", VaeGraphs.decoder(base.vae(), dec::shape, b, last.h(), last.w()));

            // 3. the weights files, then the graphs that point into them
            JsonArray weightFiles = new JsonArray();
            for (Module m : List.of(text, inf, dec)) {
                weightFiles.add(m.writeWeights(dir));
                m.writeGraphs(dir);
            }

            // 4. tokenizer and identifier rows
            Files.copy(base.tokenizer(), dir.resolve(TOKENIZER));
            JsonObject tok = new JsonObject();
            tok.addProperty("file", TOKENIZER);
            tok.addProperty("max_length", base.textEncoder().textMaxLength());
            tok.addProperty("padding", "none: one prompt per pass, its tokens and </s>");
            json.add("tokenizer", tok);
            if (adapter != null) {
                JsonObject a = new JsonObject();
                a.addProperty("identifier", adapter.identifier());
                a.addProperty("class_word", adapter.classWord());
                a.addProperty("adapter_format_version", adapter.manifest().formatVersion());
                a.addProperty("fused_tensors", adapter.tensors().size());
                a.add("identifier_token_ids", longs(identifierIds));
                a.addProperty("identifier_rows_file", IDENTIFIER_ROWS);
                a.add(
                        "identifier_rows_shape",
                        longs(adapter.identifierEmbedding().shape()));
                JsonObject p = new JsonObject();
                adapter.manifest().provenance().forEach(p::addProperty);
                a.add("provenance", p);
                json.add("adapter", a);
                writeFloats(
                        dir.resolve(IDENTIFIER_ROWS),
                        adapter.identifierEmbedding().toFloatArray());
            } else {
                json.add("adapter", com.google.gson.JsonNull.INSTANCE);
            }
            json.add("weights", weightFiles);

            // 5. the loop
            json.addProperty("images_per_pass", b);
            json.addProperty("guided", guided);
            json.addProperty("rows", rows);
            json.addProperty("max_prompt_tokens", maxTokens);
            json.addProperty("bits_per_token", config.bitsPerToken());
            json.addProperty("text_channels", config.textChannels());
            json.add("image_size", ints(base.imageSize()));
            JsonArray sched = new JsonArray();
            for (int k = 0; k < schedule.size(); k++) {
                Scale s = schedule.get(k);
                JsonObject o = new JsonObject();
                o.addProperty("h", s.h());
                o.addProperty("w", s.w());
                o.addProperty("offset", schedule.offset(k));
                sched.add(o);
            }
            json.add("schedule", sched);
            json.add("text_encoder", graphList(text, t5Files));
            json.add("prologue", graphList(inf, prologueFiles));
            JsonArray steps = new JsonArray();
            for (String f : stepFiles) {
                steps.add(inf.describe(f));
            }
            json.add("steps", steps);
            json.add("vae_decoder", dec.describe(decoderFile));
            json.add("sampling", sampling(settings.sampling()));
            json.add("loop", loop());
        }
        writeText(
                dir.resolve(DESCRIPTION),
                new GsonBuilder()
                                .setPrettyPrinting()
                                .disableHtmlEscaping()
                                .create()
                                .toJson(json)
                        + "\n");
    }

    /** The graphs and weights of one model (T5, transformer, VAE decoder) and its weights file. */
    private static final class Module {
        private final String weightsFile;
        private final Map<String, Tensor> tensors;
        private final Map<String, OnnxOps> graphs = new LinkedHashMap<>();
        private final Map<String, OnnxGraph.ExternalRef> refs = new LinkedHashMap<>();

        Module(String weightsFile, Map<String, Tensor> tensors) {
            this.weightsFile = weightsFile;
            this.tensors = tensors;
        }

        long[] shape(String name) {
            Tensor t = tensors.get(name);
            return t == null || !t.dtype().isFloatingPoint() ? null : t.shape();
        }

        String add(String file, OnnxOps graph) {
            graphs.put(file, graph);
            return file;
        }

        /** Writes the tensors the graphs use, in the checkpoint's order, each at an aligned offset. */
        JsonObject writeWeights(Path dir) throws IOException {
            Set<String> used = new LinkedHashSet<>();
            for (OnnxOps g : graphs.values()) {
                used.addAll(g.weightsUsed());
            }
            long offset = 0;
            try (FileChannel ch = FileChannel.open(
                    dir.resolve(weightsFile), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (String name : tensors.keySet()) {
                    if (!used.contains(name)) {
                        continue;
                    }
                    long aligned = (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
                    ByteBuffer data = float32LittleEndian(tensors.get(name));
                    long length = data.remaining();
                    ch.position(aligned);
                    while (data.hasRemaining()) {
                        ch.write(data);
                    }
                    refs.put(name, new OnnxGraph.ExternalRef(weightsFile, aligned, length));
                    offset = aligned + length;
                }
                ch.force(true);
            }
            JsonObject o = new JsonObject();
            o.addProperty("file", weightsFile);
            o.addProperty("tensors", refs.size());
            o.addProperty("bytes", offset);
            o.addProperty("dtype", "float32");
            o.addProperty("byte_order", "little");
            o.addProperty("alignment", ALIGNMENT);
            return o;
        }

        void writeGraphs(Path dir) throws IOException {
            for (Map.Entry<String, OnnxOps> e : graphs.entrySet()) {
                byte[] bytes = e.getValue().toModelBytes(refs::get);
                try (FileChannel ch = FileChannel.open(
                        dir.resolve(e.getKey()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer buf = ByteBuffer.wrap(bytes);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    ch.force(true);
                }
            }
        }

        JsonObject describe(String file) {
            OnnxGraph g = graphs.get(file).graph();
            JsonObject o = new JsonObject();
            o.addProperty("file", file);
            o.addProperty("domains", g.usesMicrosoftDomain() ? "ai.onnx, com.microsoft" : "ai.onnx");
            o.add("inputs", values(g.inputs()));
            o.add("outputs", values(g.outputs()));
            return o;
        }
    }

    private static JsonObject graphList(Module m, List<String> files) {
        JsonObject o = new JsonObject();
        o.addProperty("index", "graphs[n - 1] takes a prompt of n tokens");
        JsonArray a = new JsonArray();
        for (String f : files) {
            a.add(m.describe(f));
        }
        o.add("graphs", a);
        return o;
    }

    private static JsonArray values(List<OnnxGraph.ValueSpec> specs) {
        JsonArray a = new JsonArray();
        for (OnnxGraph.ValueSpec v : specs) {
            JsonObject o = new JsonObject();
            o.addProperty("name", v.name());
            o.addProperty("type", v.elemType() == OnnxGraph.INT64 ? "int64" : "float32");
            JsonArray dims = new JsonArray();
            for (Object d : v.dims()) {
                if (d instanceof Long l) {
                    dims.add(l);
                } else {
                    dims.add((String) d);
                }
            }
            o.add("dims", dims);
            a.add(o);
        }
        return a;
    }

    private static JsonObject sampling(SamplingOptions s) {
        JsonObject o = new JsonObject();
        o.add("cfg", doubles(s.cfg()));
        o.add("tau", doubles(s.tau()));
        o.addProperty("top_k", s.topK());
        o.addProperty("top_p", s.topP());
        o.addProperty("seed", s.seed());
        o.addProperty("per_scale", "one value for every scale, or one per scale");
        return o;
    }

    /** The sampling loop in words (docs/architecture.md, "ONNX export", says the same at more length). */
    private static JsonArray loop() {
        String[] steps = {
            "1. Tokenize the prompt with tokenizer.json (T5: its tokens then </s>, no padding); n tokens, n <="
                    + " max_prompt_tokens.",
            "2. Run text_encoder.graphs[n-1]: input_ids int64 (1, n), attention_mask float32 ones (1, n) ->"
                    + " last_hidden_state (1, n, Ct5); its n rows are the prompt's features (n, Ct5).",
            "3. With an adapter: wherever identifier_token_ids occur consecutively in the tokens, replace those rows"
                    + " by identifier_rows_file (P rows, float32 little-endian).",
            "4. Repeat the n rows once per image: text_NCt5 (B*n, Ct5), B = images_per_pass.",
            "5. Run prologue.graphs[n-1] on text_NCt5; keep every output (with guidance rows are [cond; uncond],"
                    + " R = 2B; the unconditional rows are built inside the graph).",
            "6. For each scale k: run steps[k] with the prologue outputs of the same names, and for k >= 1 x_Bnd and"
                    + " past_k.i/past_v.i = the previous step's present_k.i/present_v.i; it returns raw logits_RnV"
                    + " (R, h*w, 2*bits_per_token).",
            "7. Logit 2j+c is class c of bit j. Guidance (official, insertion layer 0): l = float32(cfg_k) *"
                    + " (cond * float32(1/tau_k)) + float32(1 - cfg_k) * (uncond * float32(1/tau_k)); without guidance"
                    + " l = cond * float32(1/tau_k). Per bit: top-k, then top-p over (l0, l1) as the official"
                    + " sample_with_top_k_top_p; bit = 1 iff u < softmax(l0, l1)[1] with u the next double of row r's"
                    + " stream (xoshiro256** seeded by SplitMix64 from the seed and the stream number; row r of pass p"
                    + " is stream p*B + r; BitSampler and SeededRandom in dev.arbooth.internal.sampling).",
            "8. Codes: bit -> +c or -c (c = 1/sqrt(bits_per_token), normalised per token, BitCodes). The code sum"
                    + " (B, d, h_last, w_last) adds each scale's codes upsampled trilinearly (PyTorch's channels-last"
                    + " kernel) to the last scale; the input x_Bnd of scale k+1 is the sum resized trilinearly to"
                    + " scale k+1, flattened to (B, h*w, d) (CodeAccumulator).",
            "9. Run vae_decoder on the summed codes codes_BdHW (B, bits_per_token, h_last, w_last) -> image_B3HW in"
                    + " [-1, 1]."
        };
        JsonArray a = new JsonArray();
        for (String s : steps) {
            a.add(s);
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------- files

    private static ByteBuffer float32LittleEndian(Tensor t) {
        if (t.dtype() == DType.F32) {
            return t.data().slice().order(ByteOrder.LITTLE_ENDIAN);
        }
        float[] f = t.toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        return b;
    }

    private static void writeFloats(Path file, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        Files.write(file, b.array(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private static void writeText(Path file, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened for syncing; the rename is still atomic
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover temporary directory is named as one (".<name>.export-<uuid>")
        }
    }

    private static JsonArray longs(long[] v) {
        JsonArray a = new JsonArray();
        for (long x : v) {
            a.add(x);
        }
        return a;
    }

    private static JsonArray ints(int[] v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }

    private static JsonArray doubles(List<Double> v) {
        JsonArray a = new JsonArray();
        for (double x : v) {
            a.add(x);
        }
        return a;
    }
}
