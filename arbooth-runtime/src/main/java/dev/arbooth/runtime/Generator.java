package dev.arbooth.runtime;

import dev.arbooth.ArboothException;
import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.AdapterManifest;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.runtime.internal.OrtWeights;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.IdentifierRows;
import dev.arbooth.text.internal.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates images with a base model, optionally personalized by an {@link Adapter}, on ONNX Runtime.
 *
 * <pre>{@code
 * try (Generator g = Generator.with(adapter, BaseModel.load(baseDir))) {
 *     List<GeneratedImage> images = g.sample("a sks dog on the beach");
 *     images.get(0).writePng(Path.of("beach.png"));
 * }
 * }</pre>
 *
 * <p><b>Pipeline</b> (numbered as in the code): 1. prompts are tokenized with the base's {@code tokenizer.json},
 * 2. encoded by the T5 graph, 3. the adapter's identifier embedding replaces the identifier's rows, 4. each
 * prompt's rows are repeated once per image, 5. the transformer's prologue and per-scale step graphs run under the
 * engine-free next-scale loop (guidance, seeded bit sampling, the running code sum), 6. the VAE decoder graph turns
 * the code sum into images, 7. one {@link GeneratedImage} per row.
 *
 * <p><b>Adapters.</b> An adapter's tensors replace the base's at session creation; the base's weights are
 * loaded once and shared: {@link #withAdapter(Adapter)} on an open generator creates a view on the same base
 * (closing the view leaves the base open; the base closes with the last generator using it). An adapter
 * made for another base is refused ({@link dev.arbooth.adapter.IncompatibleAdapterException}).
 *
 * <p><b>Graphs.</b> The weightless ONNX graphs are emitted from the network definitions on first use and
 * cached on disk (default {@code ~/.cache/arbooth/graphs}; system property {@code arbooth.graph.cache}
 * sets the directory, {@code off} disables the cache), keyed by configuration and library version.
 *
 * <p><b>Threads and seeds.</b> {@code sample} may be called concurrently from several threads. Image
 * {@code j} of prompt {@code i} in one call is drawn from stream {@code i·imagesPerPrompt + j} of the
 * call's seed, so the same call with the same seed gives the same images on every platform.
 */
public final class Generator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    /** The system property bounding the images sampled in one pass (see {@link #sample(List, SamplingOptions)}). */
    public static final String MAX_IMAGES_PER_PASS_PROPERTY = "arbooth.generator.maxImagesPerPass";

    /** The default number of images sampled in one pass of the transformer. */
    public static final int DEFAULT_MAX_IMAGES_PER_PASS = 16;

    /** Adapter provenance key holding the base-model directory, used by {@link #with(Adapter)}. */
    public static final String BASE_DIRECTORY_PROVENANCE = AdapterManifest.BASE_DIRECTORY_PROVENANCE;

    private final SharedBase base;
    private final Adapter adapter;
    private final OrtWeights overlay; // adapter weights over the base's, null without adapter
    private final dev.arbooth.runtime.internal.OrtInfinity infinity;
    private final long[] identifierIds;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Generator(SharedBase base, Adapter adapter) {
        this.base = base;
        this.adapter = adapter;
        try {
            if (adapter == null) {
                this.overlay = null;
                this.identifierIds = null;
                this.infinity = base.newInfinity(base.weights());
            } else {
                adapter.checkCompatible(base.fingerprint());
                this.identifierIds = base.identifierIds(adapter.identifier());
                long rows = adapter.identifierEmbedding().dim(0);
                if (rows != identifierIds.length) {
                    throw new ArboothException(
                            "The adapter's identifier embedding has " + rows + " rows but the base's "
                                    + "tokenizer splits '" + adapter.identifier() + "' into " + identifierIds.length
                                    + " tokens " + Arrays.toString(identifierIds));
                }
                this.overlay = base.weights().overlay(dev.arbooth.internal.format.StateDict.of(adapter.tensors()));
                this.infinity = base.newInfinity(overlay);
            }
        } catch (RuntimeException e) {
            base.release();
            throw e;
        }
    }

    /**
     * A generator of the base model alone, on {@link Device#auto()}.
     *
     * @param model the base model
     * @return the generator; close it
     */
    public static Generator base(BaseModel model) {
        return base(model, Device.auto());
    }

    /**
     * A generator of the base model alone.
     *
     * @param model the base model
     * @param device where to run
     * @return the generator; close it
     */
    public static Generator base(BaseModel model, Device device) {
        return new Generator(SharedBase.open(model, device), null);
    }

    /**
     * A personalized generator on {@link Device#auto()}.
     *
     * @param adapter the adapter
     * @param model the base model it was made for
     * @return the generator; close it
     * @throws dev.arbooth.adapter.IncompatibleAdapterException if the adapter was made for another base
     */
    public static Generator with(Adapter adapter, BaseModel model) {
        return with(adapter, model, Device.auto());
    }

    /**
     * A personalized generator.
     *
     * @param adapter the adapter
     * @param model the base model it was made for
     * @param device where to run
     * @return the generator; close it
     * @throws dev.arbooth.adapter.IncompatibleAdapterException if the adapter was made for another base
     */
    public static Generator with(Adapter adapter, BaseModel model, Device device) {
        Objects.requireNonNull(adapter, "adapter");
        return new Generator(SharedBase.open(model, device), adapter);
    }

    /**
     * A personalized generator on the adapter's base, on {@link Device#auto()}: the base directory the adapter
     * records ({@value #BASE_DIRECTORY_PROVENANCE} in its manifest's provenance) when that directory holds a base,
     * else the bundled base ({@link BaseModel#bundled()}, the toy base of {@code arbooth-toybase}). Either way the
     * adapter's base fingerprint must match.
     *
     * @param adapter the adapter
     * @return the generator; close it
     * @throws dev.arbooth.adapter.IncompatibleAdapterException if the adapter was made for another base than the one
     *     found
     * @throws ArboothException if the recorded directory holds no base and no base is bundled
     */
    public static Generator with(Adapter adapter) {
        String dir = adapter.manifest().provenance().get(BASE_DIRECTORY_PROVENANCE);
        if (dir != null) {
            try {
                Path base = Path.of(dir);
                if (Files.isRegularFile(base.resolve(BaseModel.DESCRIPTOR))) {
                    return with(adapter, BaseModel.load(base));
                }
            } catch (java.nio.file.InvalidPathException e) {
                // not a path on this machine: fall back to the bundled base
            }
        }
        BaseModel bundled;
        try {
            bundled = BaseModel.bundled();
        } catch (ArboothException e) {
            throw new ArboothException("This adapter's base is not here (recorded base directory: "
                    + (dir == null ? "none" : "'" + dir + "', which holds no " + BaseModel.DESCRIPTOR)
                    + ") and " + e.getMessage() + "; use Generator.with(adapter, BaseModel.load(dir))");
        }
        return with(adapter, bundled);
    }

    /**
     * A generator with another adapter on this generator's base: the base's weights and sessions' inputs
     * are shared, not loaded again.
     *
     * @param other the adapter
     * @return a new generator; close it (the base stays open while any generator on it is open)
     * @throws dev.arbooth.adapter.IncompatibleAdapterException if the adapter was made for another base
     */
    public Generator withAdapter(Adapter other) {
        ensureOpen();
        Objects.requireNonNull(other, "adapter");
        base.retain();
        return new Generator(base, other);
    }

    /**
     * The base model.
     *
     * @return the base
     */
    public BaseModel baseModel() {
        return base.model();
    }

    /**
     * Where the sessions run, as resolved (for {@link Device#auto()}: CUDA or the CPU, with the reason).
     *
     * @return the resolved device
     */
    public Device.Resolved device() {
        return base.device();
    }

    /**
     * The adapter, if any.
     *
     * @return the adapter or {@code null} for a base-only generator
     */
    public Adapter adapter() {
        return adapter;
    }

    /**
     * Samples one prompt with the default options ({@link SamplingOptions#defaults()}).
     *
     * @param prompt the prompt, e.g. {@code "a sks dog on the beach"}
     * @return the images ({@code imagesPerPrompt} of them)
     */
    public List<GeneratedImage> sample(String prompt) {
        return sample(List.of(prompt), SamplingOptions.defaults());
    }

    /**
     * Samples one prompt.
     *
     * @param prompt the prompt
     * @param options CFG, τ, top-k/top-p, seed, images per prompt, per-scale bits
     * @return the images
     */
    public List<GeneratedImage> sample(String prompt, SamplingOptions options) {
        return sample(List.of(prompt), options);
    }

    /**
     * Samples a batch of prompts: in passes of at most {@value #DEFAULT_MAX_IMAGES_PER_PASS} images (system
     * property {@value #MAX_IMAGES_PER_PASS_PROPERTY}), so that a large {@code imagesPerPrompt} or a long prompt
     * list costs memory for its results only; the seeds do not depend on the passes.
     *
     * @param prompts the prompts
     * @param options CFG, τ, top-k/top-p, seed, images per prompt, per-scale bits
     * @return the images, prompt-major ({@code imagesPerPrompt} per prompt, in order)
     */
    public List<GeneratedImage> sample(List<String> prompts, SamplingOptions options) {
        ensureOpen();
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty");
        }
        Objects.requireNonNull(options, "options");
        options.requireScales(base.model().schedule().size());
        // Prompts are encoded and sampled a few at a time (maxImagesPerPass images per pass), so the memory a
        // call needs besides its results does not grow with the number of prompts or images asked for.
        int m = options.imagesPerPrompt();
        requireResultsFit((long) prompts.size() * m, options);
        int promptsPerPass = Math.max(1, maxImagesPerPass() / m);
        List<GeneratedImage> out = new ArrayList<>();
        for (int p0 = 0; p0 < prompts.size(); p0 += promptsPerPass) {
            List<String> group = prompts.subList(p0, Math.min(prompts.size(), p0 + promptsPerPass));
            // 1. tokens; 2. the T5 encoder's compact features
            TokenBatch tokens = base.tokenize(group);
            TextFeatures features = base.encodeText(tokens);
            // 3. the adapter's identifier rows in place of the identifier's tokens
            if (adapter != null) {
                if (LOG.isWarnEnabled()) { // replace() finds the positions itself; this scan only feeds the log
                    int[][] at = IdentifierRows.positions(tokens, identifierIds);
                    for (int i = 0; i < at.length; i++) {
                        if (at[i].length == 0) {
                            LOG.warn(
                                    "prompt {} does not name the identifier '{}': sampled without the subject's rows (the adapter's tuned"
                                            + " weights still apply)",
                                    p0 + i,
                                    adapter.identifier());
                        }
                    }
                }
                features =
                        IdentifierRows.replace(tokens, features, identifierIds, adapter.identifierEmbedding(), false);
            }
            out.addAll(sampleFeatures(group, features, options, (long) p0 * m));
        }
        return out;
    }

    /**
     * Samples from prompt features computed elsewhere (the identifier rows already in place).
     *
     * @param features the prompts' compact text features {@code (N, Ct5)}
     * @param options CFG, τ, top-k/top-p, seed, images per prompt, per-scale bits
     * @return the images, prompt-major
     */
    public List<GeneratedImage> sample(TextFeatures features, SamplingOptions options) {
        ensureOpen();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < features.lengths().length; i++) {
            names.add("<features " + i + ">");
        }
        Objects.requireNonNull(options, "options");
        requireResultsFit((long) names.size() * options.imagesPerPrompt(), options);
        return sampleFeatures(names, features, options, 0);
    }

    /**
     * Refuses, before any work, a call whose results alone would take more than half the JVM's maximum heap
     * (the images as float32, plus the bits of every scale when asked for).
     */
    private void requireResultsFit(long images, SamplingOptions options) {
        int[] size = base.model().imageSize();
        long perImage = 4L * 3 * size[0] * size[1];
        if (options.returnScaleBits()) {
            long tokens = 0;
            for (Scale s : base.model().schedule().scales()) {
                tokens += s.tokens();
            }
            perImage += 8L * tokens * infinity.config().bitsPerToken();
        }
        long budget = Runtime.getRuntime().maxMemory() / 2;
        if (images > budget / perImage) {
            throw new ArboothException("This call would return " + images + " images of " + perImage + " bytes each, "
                    + "more than half the JVM's maximum heap (" + budget * 2 + " bytes); sample fewer images per call"
                    + " (image j of prompt i always draws from stream i·imagesPerPrompt + j of the seed, so a call"
                    + " split in parts gives the same images)");
        }
    }

    /**
     * The most images one pass of the transformer samples: system property {@value
     * #MAX_IMAGES_PER_PASS_PROPERTY}, default {@value #DEFAULT_MAX_IMAGES_PER_PASS}. More are sampled in
     * successive passes, with the same seeds (image {@code j} of prompt {@code i} always draws from stream
     * {@code i·imagesPerPrompt + j}).
     */
    static int maxImagesPerPass() {
        String v = System.getProperty(MAX_IMAGES_PER_PASS_PROPERTY);
        if (v == null) {
            return DEFAULT_MAX_IMAGES_PER_PASS;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ArboothException(
                "System property " + MAX_IMAGES_PER_PASS_PROPERTY + " must be a positive integer, got '" + v + "'");
    }

    /**
     * Samples {@code imagesPerPrompt} images of each prompt, in passes of at most {@link #maxImagesPerPass()}
     * rows; {@code firstRow} is the global row (random stream) of the first prompt's first image.
     */
    private List<GeneratedImage> sampleFeatures(
            List<String> prompts, TextFeatures features, SamplingOptions options, long firstRow) {
        Objects.requireNonNull(options, "options");
        ScaleSchedule schedule = base.model().schedule();
        options.requireScales(schedule.size());
        int m = options.imagesPerPrompt();
        int d = infinity.config().bitsPerToken();
        int c = infinity.config().textChannels();
        if (features.kvCompact().dim(1) != c) {
            throw new dev.arbooth.ShapeMismatchException(
                    "prompt features have " + features.kvCompact().dim(1) + " channels, the base expects " + c);
        }
        boolean guided = options.guides(schedule.size());
        long total = (long) features.lengths().length * m;
        int perPass = maxImagesPerPass();
        int[] size = base.model().imageSize();
        int per = 3 * size[0] * size[1];
        List<GeneratedImage> out = new ArrayList<>();
        for (long r0 = 0; r0 < total; r0 += perPass) {
            int rows = (int) Math.min(perPass, total - r0);
            // 4. one row per image: row r is image r % m of prompt r / m (and seed stream firstRow + r)
            TextFeatures pass = features.imageRows(m, r0, rows);
            // 5. the transformer's prologue and per-scale steps under the one sampling loop (CFG, seeded bits,
            //    code sum)
            NextScaleLoop loop = NextScaleLoop.create(schedule, rows, d, BitSamplerOptions.of(options), firstRow + r0);
            NextScaleResult result;
            try (var stepper = infinity.stepper(pass.kvCompact().toFloatArray(), pass.lengths(), schedule, guided)) {
                result = loop.run(stepper);
            }
            // 6. the VAE decoder on the code sum
            float[] images = result.decode(base.vae());
            if (images.length != (long) rows * per) {
                throw new IllegalStateException(
                        "decoder returned " + images.length + " values for " + rows + " images");
            }
            // 7. one image per row
            for (int r = 0; r < rows; r++) {
                long row = r0 + r;
                Tensor img = Tensor.ofFloats(Arrays.copyOfRange(images, r * per, (r + 1) * per), 3, size[0], size[1]);
                List<long[]> bits = options.returnScaleBits() ? rowBits(result, schedule, r, d) : null;
                out.add(new GeneratedImage(prompts.get((int) (row / m)), (int) (row % m), options.seed(), img, bits));
            }
        }
        return out;
    }

    private static List<long[]> rowBits(NextScaleResult result, ScaleSchedule schedule, int row, int d) {
        List<long[]> bits = new ArrayList<>(schedule.size());
        for (int k = 0; k < schedule.size(); k++) {
            Scale s = schedule.get(k);
            int n = s.tokens() * d;
            bits.add(Arrays.copyOfRange(result.bits(k), row * n, (row + 1) * n));
        }
        return bits;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("This Generator is closed");
        }
    }

    /** Closes this generator's sessions; the base closes with the last generator on it. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            infinity.close();
            if (overlay != null) {
                overlay.close();
            }
            base.release();
        }
    }
}
