package dev.arbooth.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.json.StrictJson;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.CodeDecoder;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.runtime.internal.GraphCache;
import dev.arbooth.runtime.internal.OnnxExportWriter;
import dev.arbooth.runtime.internal.OrtInfinityStepper;
import dev.arbooth.runtime.internal.OrtTensors;
import dev.arbooth.runtime.internal.SessionFactory;
import dev.arbooth.runtime.internal.StepSessions;
import dev.arbooth.runtime.internal.onnx.InfinityGraphs;
import dev.arbooth.runtime.internal.onnx.T5Graph;
import dev.arbooth.runtime.internal.onnx.VaeGraphs;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.IdentifierRows;
import dev.arbooth.text.internal.T5Tokenizer;
import dev.arbooth.text.internal.TokenBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Samples from the files of an {@link OnnxExport} alone: sessions are created from the exported {@code .onnx}
 * files (nothing is emitted), following the loop its description states, with this library's engine-free loop
 * (guidance, bit sampling, code sum). Used by the tests that prove an export equals the generator; not public
 * API (a user of the export runs its own loop, in any language). Thread-compatible; close once.
 */
final class ExportedSampler implements AutoCloseable, StepSessions {
    private final Path dir;
    private final SessionFactory factory;
    private final InfinityConfig config;
    private final ScaleSchedule schedule;
    private final int batch;
    private final int rows;
    private final boolean guided;
    private final int[] imageSize;
    private final List<String> t5Files = new ArrayList<>();
    private final List<String> prologueFiles = new ArrayList<>();
    private final List<String> stepFiles = new ArrayList<>();
    private final String decoderFile;
    private final T5Tokenizer tokenizer;
    private final long[] identifierIds;
    private final Tensor identifierRows;
    private final Map<String, OrtSession> sessions = new ConcurrentHashMap<>();

    private ExportedSampler(Path dir, Device device) {
        this.dir = dir;
        Path file = dir.resolve(OnnxExportWriter.DESCRIPTION);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read the export description: " + e);
        }
        StrictJson o = StrictJson.parseDocument(file, "ONNX export description", text);
        if (!OnnxExportWriter.FORMAT.equals(o.string("format"))) {
            throw o.error("is not an ARBooth ONNX export ('format' is not '" + OnnxExportWriter.FORMAT + "')");
        }
        if (o.integer("format_version") != OnnxExportWriter.FORMAT_VERSION) {
            throw o.error("has format version " + o.integer("format_version") + "; this library reads "
                    + OnnxExportWriter.FORMAT_VERSION);
        }
        this.config = o.build("InfinityConfig", () -> InfinityConfig.fromJson(o.objectText("infinity_config")));
        List<Scale> scales = new ArrayList<>();
        for (StrictJson s : o.objects("schedule")) {
            scales.add(new Scale(s.integer("h"), s.integer("w")));
        }
        this.schedule = ScaleSchedule.of(scales);
        this.batch = o.integer("images_per_pass");
        this.rows = o.integer("rows");
        this.guided = o.bool("guided");
        this.imageSize =
                o.integers("image_size").stream().mapToInt(Integer::intValue).toArray();
        o.object("text_encoder").objects("graphs").forEach(g -> t5Files.add(g.string("file")));
        o.object("prologue").objects("graphs").forEach(g -> prologueFiles.add(g.string("file")));
        o.objects("steps").forEach(g -> stepFiles.add(g.string("file")));
        this.decoderFile = o.object("vae_decoder").string("file");
        StrictJson tok = o.object("tokenizer");
        if (o.isNull("adapter")) {
            this.identifierIds = null;
            this.identifierRows = null;
        } else {
            StrictJson a = o.object("adapter");
            this.identifierIds = a.integers("identifier_token_ids").stream()
                    .mapToLong(Integer::longValue)
                    .toArray();
            long[] shape = a.integers("identifier_rows_shape").stream()
                    .mapToLong(Integer::longValue)
                    .toArray();
            this.identifierRows = readFloats(dir.resolve(a.string("identifier_rows_file")), shape);
        }
        this.factory = SessionFactory.create(device, GraphCache.none());
        this.tokenizer = T5Tokenizer.open(dir.resolve(tok.string("file")), tok.integer("max_length"));
    }

    /**
     * Opens an export.
     *
     * @param dir the export's directory
     * @param device where to run
     * @return the sampler; close it
     */
    static ExportedSampler open(Path dir, Device device) {
        return new ExportedSampler(dir, device);
    }

    private static Tensor readFloats(Path file, long[] shape) {
        try {
            byte[] b = Files.readAllBytes(file);
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return Tensor.ofFloats(f, shape);
        } catch (IOException | IllegalArgumentException e) {
            throw new FormatException(file, "cannot read the identifier rows " + Arrays.toString(shape) + ": " + e);
        }
    }

    private OrtSession session(String file) {
        return sessions.computeIfAbsent(file, f -> factory.fileSession("exported " + f, dir.resolve(f)));
    }

    @Override
    public InfinityConfig config() {
        return config;
    }

    @Override
    public OrtSession stepSession(ScaleSchedule s, int k, int r, int inputRows) {
        if (!s.equals(schedule) || r != rows || inputRows != batch) {
            throw new ArboothException("the export's step graphs are for " + rows + " rows of " + batch + " images on "
                    + schedule + ", not " + r + " rows of " + inputRows + " on " + s);
        }
        return session(stepFiles.get(k));
    }

    /**
     * Samples {@code images_per_pass} images of one prompt, as the description's loop says.
     *
     * @param prompt the prompt
     * @param options the sampling options; {@code imagesPerPrompt} must equal the export's images per pass, and
     *     their guidance the export's
     * @return the images, with their bits when the options ask for them
     */
    List<GeneratedImage> sample(String prompt, SamplingOptions options) {
        options.requireScales(schedule.size());
        if (options.imagesPerPrompt() != batch || options.guides(schedule.size()) != guided) {
            throw new ArboothException(
                    "this export samples " + batch + " images per pass " + (guided ? "with" : "without") + " guidance");
        }
        // 1. tokens (one prompt, no padding)
        TokenBatch tokens;
        synchronized (tokenizer) {
            tokens = tokenizer.encode(List.of(prompt), T5Tokenizer.Padding.LONGEST);
        }
        int n = tokens.sequenceLength();
        if (n > t5Files.size()) {
            throw new ArboothException(
                    "the prompt has " + n + " tokens; this export holds graphs for up to " + t5Files.size());
        }
        // 2. the T5 graph of n tokens
        float[] hidden;
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        try (OnnxTensor ids = OrtTensors.longs(tokens.ids().toLongArray(), 1, n);
                OnnxTensor mask = OrtTensors.floats(ones, 1, n);
                OrtSession.Result r = session(t5Files.get(n - 1)).run(Map.of(T5Graph.IDS, ids, T5Graph.MASK, mask))) {
            hidden = OrtTensors.read(r.get(T5Graph.OUT).orElseThrow());
        } catch (OrtException e) {
            throw new ArboothException("the exported T5 encoder failed: " + e.getMessage(), e);
        }
        TextFeatures features = TextFeatures.of(Tensor.ofFloats(hidden, n, config.textChannels()), new int[] {n});
        // 3. the identifier rows
        if (identifierIds != null) {
            features = IdentifierRows.replace(tokens, features, identifierIds, identifierRows, false);
        }
        // 4. one row per image; 5. the prologue; 6–8. steps under the loop
        TextFeatures pass = features.imageRows(batch, 0, batch);
        NextScaleResult result;
        OrtSession.Result prologue;
        try (OnnxTensor text =
                OrtTensors.floats(pass.kvCompact().toFloatArray(), (long) batch * n, config.textChannels())) {
            prologue = session(prologueFiles.get(n - 1)).run(Map.of(InfinityGraphs.TEXT, text));
        } catch (OrtException e) {
            throw new ArboothException("the exported prologue failed: " + e.getMessage(), e);
        }
        int d = config.bitsPerToken();
        try (OrtInfinityStepper stepper = new OrtInfinityStepper(this, prologue, schedule, rows, batch)) {
            result = NextScaleLoop.create(schedule, batch, d, BitSamplerOptions.of(options), 0)
                    .run(stepper);
        }
        // 9. the VAE decoder
        CodeDecoder decoder = (codes, b, dd, grid) -> {
            try (OnnxTensor c = OrtTensors.floats(codes, b, dd, grid.h(), grid.w());
                    OrtSession.Result r = session(decoderFile).run(Map.of(VaeGraphs.CODES, c))) {
                return OrtTensors.read(r.get(VaeGraphs.IMAGE).orElseThrow());
            } catch (OrtException e) {
                throw new ArboothException("the exported VAE decoder failed: " + e.getMessage(), e);
            }
        };
        float[] images = result.decode(decoder);
        int per = 3 * imageSize[0] * imageSize[1];
        List<GeneratedImage> out = new ArrayList<>();
        for (int r = 0; r < batch; r++) {
            Tensor img =
                    Tensor.ofFloats(Arrays.copyOfRange(images, r * per, (r + 1) * per), 3, imageSize[0], imageSize[1]);
            List<long[]> bits = null;
            if (options.returnScaleBits()) {
                bits = new ArrayList<>();
                for (int k = 0; k < schedule.size(); k++) {
                    int nb = schedule.get(k).tokens() * d;
                    bits.add(Arrays.copyOfRange(result.bits(k), r * nb, (r + 1) * nb));
                }
            }
            out.add(new GeneratedImage(prompt, r, options.seed(), img, bits));
        }
        return out;
    }

    /**
     * The number of sessions opened so far (every one from an exported file).
     *
     * @return the count
     */
    int sessionCount() {
        return sessions.size();
    }

    @Override
    public void close() {
        for (OrtSession s : sessions.values()) {
            try {
                s.close();
            } catch (OrtException e) {
                // nothing to do while closing
            }
        }
        sessions.clear();
        tokenizer.close();
    }
}
