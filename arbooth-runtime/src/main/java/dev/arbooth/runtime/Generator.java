package dev.arbooth.runtime;

import dev.arbooth.ArboothException;
import dev.arbooth.adapter.Adapter;
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

    /** Adapter provenance key holding the base-model directory, used by {@link #with(Adapter)}. */
    public static final String BASE_DIRECTORY_PROVENANCE = "base.directory";

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
     * A personalized generator on the base the adapter records ({@value #BASE_DIRECTORY_PROVENANCE} in
     * its manifest's provenance), on {@link Device#auto()}.
     *
     * @param adapter the adapter
     * @return the generator; close it
     * @throws ArboothException if the adapter does not record its base directory
     */
    public static Generator with(Adapter adapter) {
        String dir = adapter.manifest().provenance().get(BASE_DIRECTORY_PROVENANCE);
        if (dir == null) {
            throw new ArboothException(
                    "This adapter does not record where its base model is (no '" + BASE_DIRECTORY_PROVENANCE
                            + "' in its provenance); use Generator.with(adapter, BaseModel.load(dir))");
        }
        return with(adapter, BaseModel.load(Path.of(dir)));
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
     * Samples a batch of prompts in one pass.
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
        // 1. tokens; 2. the T5 encoder's compact features
        TokenBatch tokens = base.tokenize(prompts);
        TextFeatures features = base.encodeText(tokens);
        // 3. the adapter's identifier rows in place of the identifier's tokens
        if (adapter != null) {
            if (LOG.isDebugEnabled()) { // replace() finds the positions itself; this scan only feeds the log
                int[][] at = IdentifierRows.positions(tokens, identifierIds);
                for (int i = 0; i < at.length; i++) {
                    if (at[i].length == 0) {
                        LOG.debug(
                                "prompt {} does not name the identifier '{}': sampled as the base would",
                                i,
                                adapter.identifier());
                    }
                }
            }
            features = IdentifierRows.replace(tokens, features, identifierIds, adapter.identifierEmbedding(), false);
        }
        return sampleFeatures(prompts, features, options);
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
        return sampleFeatures(names, features, options);
    }

    private List<GeneratedImage> sampleFeatures(List<String> prompts, TextFeatures features, SamplingOptions options) {
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
        // 4. one row per image: row r = i*m + j is image j of prompt i (and seed stream r)
        TextFeatures rows = features.repeatEach(m);
        int r = rows.lengths().length;
        // 5. the transformer's prologue and per-scale steps under the one sampling loop (CFG, seeded bits, code sum)
        NextScaleLoop loop = NextScaleLoop.create(schedule, r, d, BitSamplerOptions.of(options));
        NextScaleResult result;
        try (var stepper = infinity.stepper(
                rows.kvCompact().toFloatArray(), rows.lengths(), schedule, options.guides(schedule.size()))) {
            result = loop.run(stepper);
        }
        // 6. the VAE decoder on the code sum; 7. one image per row
        float[] images = result.decode(base.vae());
        int[] size = base.model().imageSize();
        int per = 3 * size[0] * size[1];
        if (images.length != (long) r * per) {
            throw new IllegalStateException("decoder returned " + images.length + " values for " + r + " images");
        }
        List<GeneratedImage> out = new ArrayList<>(r);
        for (int row = 0; row < r; row++) {
            Tensor img = Tensor.ofFloats(Arrays.copyOfRange(images, row * per, (row + 1) * per), 3, size[0], size[1]);
            List<long[]> bits = options.returnScaleBits() ? rowBits(result, schedule, row, d) : null;
            out.add(new GeneratedImage(prompts.get(row / m), row % m, options.seed(), img, bits));
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
