package dev.arbooth.train;

import dev.arbooth.ArboothException;
import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.base.BaseModel;
import dev.arbooth.train.internal.FitData;
import dev.arbooth.train.internal.FitLoop;
import dev.arbooth.train.internal.FitNetworks;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Personalizes a base model: turns a few photos of a subject into an {@link Adapter} with ARBooth's method on DJL
 * (PyTorch), the adapter the ONNX Runtime generator samples from.
 *
 * <pre>{@code
 * try (Personalizer personalizer = Personalizer.builder(BaseModel.load(Path.of("models/base")))
 *         .options(FitOptions.arbooth().toBuilder().steps(500).build())
 *         .seed(42)
 *         .checkpoints(Path.of("runs/dog"), 50)
 *         .build()) {
 *     Adapter dog = personalizer.fit(FitImages.files(photos), "dog");
 *     dog.save(Path.of("dog.arbooth.safetensors"));
 * }
 * }</pre>
 *
 * <p><b>What a fit does.</b> Before the first step it checks every input (image count 1 to 64, each image readable,
 * the class word, the identifier against the tokenizer, the checkpoint directory) and prepares the data once: the
 * images at the base's size through the VAE encoder to multi-scale bits, each distinct prompt through the frozen T5
 * encoder. Then it trains {@link FitOptions#steps()} steps, each a subject step (scale-weighted bitwise
 * cross-entropy) and a prior-distillation step, reports every step to the {@link FitListener} (SLF4J logging by
 * default), writes checkpoints if a directory was given, and returns the adapter: the trained tensors under their
 * official names, the identifier rows, and a manifest with the base fingerprint, every option, the seed, the input
 * images' fingerprints and the final losses.
 *
 * <p><b>Resuming.</b> If the checkpoint directory holds a checkpoint of the same fit (same base, options, class word
 * and images), the fit continues from it and ends with the adapter an uninterrupted fit gives, bit for bit; a
 * checkpoint of another fit is refused with {@link CheckpointMismatchException}.
 *
 * <p><b>Options.</b> Without {@link Builder#options}, a fit uses {@link FitOptions#arbooth()} with as many identifier
 * rows as the base's tokenizer splits the identifier into (the generator replaces each identifier token's row by
 * one learned row); explicit options must agree with the tokenizer ({@link FitInputException} otherwise).
 *
 * <p><b>Resources.</b> The personalizer opens the base's tokenizer, T5 encoder and VAE on first use and keeps them
 * for later fits (native memory of the PyTorch engine): close it, best with try-with-resources. Each fit loads its
 * own copy of the transformer and frees it at the end. Fits of one personalizer run one at a time; {@link
 * #close()} waits for a running fit to end.
 */
public final class Personalizer implements AutoCloseable {
    /** The default checkpoint interval, in steps. */
    public static final int DEFAULT_CHECKPOINT_EVERY = 50;

    private final BaseModel base;
    private final FitOptions options;
    private final Long seed;
    private final Integer steps;
    private final FitListener listener;
    private final Path checkpointDirectory;
    private final int checkpointEvery;
    private final ValidationSamples validation;
    private final FitNetworks nets;
    private final ReentrantLock lock = new ReentrantLock();
    private BaseFingerprint fingerprint;
    private boolean closed;

    private Personalizer(Builder b) {
        this.base = b.base;
        this.options = b.options;
        this.seed = b.seed;
        this.steps = b.steps;
        this.listener = b.listener;
        this.checkpointDirectory = b.checkpointDirectory;
        this.checkpointEvery = b.checkpointEvery;
        this.validation = b.validation;
        this.nets = new FitNetworks(base);
    }

    /**
     * A personalizer of a base with the defaults: the base's options ({@link FitOptions#defaultsFor}), seed 0, SLF4J
     * progress, no checkpoints.
     *
     * @param base the base model
     * @return the personalizer (close it)
     */
    public static Personalizer on(BaseModel base) {
        return builder(base).build();
    }

    /**
     * A builder for a configured personalizer.
     *
     * @param base the base model
     * @return the builder
     */
    public static Builder builder(BaseModel base) {
        return new Builder(base);
    }

    /**
     * Personalizes the bundled base model ({@link BaseModel#bundled()}: the SDK's toy base, from {@code
     * arbooth-toybase}) with its preset ({@link FitOptions#defaultsFor}), seed 0 and SLF4J progress.
     *
     * <pre>{@code
     * Adapter dog = Personalizer.fit(List.of(Path.of("dog1.jpg"), Path.of("dog2.jpg")), "dog");
     * try (Generator g = Generator.with(dog)) { ... }
     * }</pre>
     *
     * @param images the subject's photos (1 to 64)
     * @param classWord the subject's class
     * @return the adapter
     * @throws FitInputException if an input is invalid (before any training)
     * @throws ArboothException if no base is bundled or the fit fails
     */
    public static Adapter fit(List<Path> images, String classWord) {
        Objects.requireNonNull(images, "images");
        try (Personalizer p = on(BaseModel.bundled())) {
            return p.fit(FitImages.files(images), classWord);
        }
    }

    /**
     * The options a fit of this personalizer uses: the explicit ones or the base's defaults (identifier rows as the
     * base's tokenizer splits the identifier), with the builder's seed and steps over them.
     *
     * @return the options
     * @throws FitInputException if the base's tokenizer splits the default identifier into no token
     */
    public FitOptions options() {
        ensureOpen();
        return resolveOptions();
    }

    /**
     * The base model.
     *
     * @return the base
     */
    public BaseModel base() {
        return base;
    }

    /**
     * Fits on the calling thread. Interrupting the thread cancels the fit at the next step boundary, as {@link
     * FitJob#cancel()} does.
     *
     * @param images the subject's photos, 1 to 64
     * @param classWord the subject's class (an ordinary word, e.g. {@code "dog"})
     * @return the adapter
     * @throws FitInputException if an input cannot be used (before any step)
     * @throws dev.arbooth.InvalidImageException naming an image file that cannot be read (before any step)
     * @throws CheckpointMismatchException if the checkpoint directory holds another fit's checkpoint
     * @throws FitCancelledException if cancelled
     * @throws NonFiniteLossException if a loss is not finite
     */
    public Adapter fit(FitImages images, String classWord) {
        return run(images, classWord, () -> false);
    }

    /**
     * Starts a fit on a new thread.
     *
     * @param images the subject's photos, 1 to 64
     * @param classWord the subject's class
     * @return the running fit
     */
    public FitJob start(FitImages images, String classWord) {
        Objects.requireNonNull(images, "images");
        ensureOpen();
        FitJob job = new FitJob();
        Thread t = new Thread(
                () -> {
                    try {
                        job.complete(run(images, classWord, job::isCancellationRequested));
                    } catch (Throwable e) { // handed to the waiting thread
                        job.fail(e);
                    }
                },
                "arbooth-fit");
        t.start();
        return job;
    }

    private Adapter run(FitImages images, String classWord, BooleanSupplier cancelled) {
        Objects.requireNonNull(images, "images");
        lock.lock();
        try {
            ensureOpen();
            // checks without networks first, then with the tokenizer, then the data (images decoded and encoded)
            FitOptions provisional = options != null ? options : FitOptions.arbooth();
            FitData.checkInputs(images, classWord, provisional);
            FitOptions resolved = resolveOptions();
            FitData.checkInputs(images, classWord, resolved);
            FitData data = FitData.prepare(nets, resolved, classWord, images);
            FitLoop.Settings settings = new FitLoop.Settings(
                    listener, checkpointDirectory, checkpointEvery, validation, cancelled, null, true);
            return FitLoop.run(nets, resolved, classWord, data, fingerprint(), settings);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The explicit options, or the base's defaults with P = the identifier's token count; the builder's seed and
     * steps over either.
     */
    private FitOptions resolveOptions() {
        FitOptions o = options;
        if (o == null) {
            FitOptions d = FitOptions.defaultsFor(base);
            long[] ids;
            try {
                ids = nets.tokenizer().encodeWord(d.identifier());
            } catch (ArboothException e) {
                throw new FitInputException("The base's tokenizer splits the default identifier '" + d.identifier()
                        + "' into no token; give options with another identifier (" + e.getMessage() + ")");
            }
            o = d.toBuilder().identifierRows(ids.length).build();
        }
        if (seed != null) {
            o = o.toBuilder().seed(seed).build();
        }
        if (steps != null) {
            o = o.toBuilder().steps(steps).build();
        }
        return o;
    }

    private BaseFingerprint fingerprint() {
        if (fingerprint == null) {
            fingerprint = BaseFingerprint.of(base);
        }
        return fingerprint;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This Personalizer is closed");
        }
    }

    /** Frees the base's networks; waits for a running fit to end first. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                nets.close();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Personalizer[" + base.name() + (closed ? ", closed]" : "]");
    }

    /** Configures a {@link Personalizer}. */
    public static final class Builder {
        private final BaseModel base;
        private FitOptions options;
        private Long seed;
        private Integer steps;
        private FitListener listener = FitListener.logging();
        private Path checkpointDirectory;
        private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
        private ValidationSamples validation;

        private Builder(BaseModel base) {
            this.base = Objects.requireNonNull(base, "base");
        }

        /**
         * Sets the fit options (default: ARBooth's, with the identifier rows the tokenizer asks for).
         *
         * @param v the options
         * @return this
         */
        public Builder options(FitOptions v) {
            options = Objects.requireNonNull(v, "options");
            return this;
        }

        /**
         * Sets the seed of every random choice, over the options' seed.
         *
         * @param v the seed
         * @return this
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * Sets the number of steps, over the options' (the base's defaults or {@link #options}): a shorter or
         * longer fit without spelling out every other option.
         *
         * @param v at least 1
         * @return this
         * @throws IllegalArgumentException if {@code v < 1}
         */
        public Builder steps(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("steps must be at least 1, got " + v);
            }
            steps = v;
            return this;
        }

        /**
         * Sets the progress listener (default: {@link FitListener#logging()}).
         *
         * @param v the listener
         * @return this
         */
        public Builder listener(FitListener v) {
            listener = Objects.requireNonNull(v, "listener");
            return this;
        }

        /**
         * Writes a checkpoint every {@code everySteps} steps (and at the last step, and when cancelled) into a
         * directory, and resumes from the checkpoint found there.
         *
         * @param directory the checkpoint directory (created if needed)
         * @param everySteps at least 1
         * @return this
         */
        public Builder checkpoints(Path directory, int everySteps) {
            if (everySteps < 1) {
                throw new IllegalArgumentException(
                        "the checkpoint interval must be at least 1 step, got " + everySteps);
            }
            checkpointDirectory = Objects.requireNonNull(directory, "directory");
            checkpointEvery = everySteps;
            return this;
        }

        /**
         * Writes validation samples during the fit.
         *
         * @param v what to sample, how often and where
         * @return this
         */
        public Builder validation(ValidationSamples v) {
            validation = Objects.requireNonNull(v, "validation");
            return this;
        }

        /**
         * Builds the personalizer (nothing is loaded until the first fit).
         *
         * @return the personalizer
         */
        public Personalizer build() {
            return new Personalizer(this);
        }
    }
}
