package dev.arbooth.train.internal;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.AdapterManifest;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.base.BaseModel;
import dev.arbooth.image.PngWriter;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.FitCancelledException;
import dev.arbooth.train.FitListener;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.FitProgress;
import dev.arbooth.train.NonFiniteLossException;
import dev.arbooth.train.ValidationSamples;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The training loop of a fit: per step the subject step, then the prior step, of {@link ArboothIteration}; progress
 * to the listener; checkpoints every N steps (and when cancelled, and at the end); validation grids; the adapter.
 *
 * <p><b>Determinism.</b> Step {@code i} (0-based) gets its batch from {@link FitData#subjectBatch} and its seed from
 * {@link FitSeeds#of}{@code (seed, i, ITERATION)}; nothing else is random and no state outlives a step except the
 * iteration's snapshot. A fit resumed from the checkpoint of step k therefore computes steps k, k+1, … exactly as an
 * uninterrupted fit does (DJL on CPU with one intra-op thread is deterministic), and the adapter is bit-identical.
 *
 * <p><b>Step boundaries.</b> Cancellation is looked at before each step (and before the first): the loop writes a
 * checkpoint of the completed steps (unless the last one holds them already) and throws {@link
 * FitCancelledException}. A non-finite loss throws {@link NonFiniteLossException} at once, without writing a
 * checkpoint, so the last good one stays.
 */
public final class FitLoop {
    /**
     * How a fit reports and persists.
     *
     * @param listener progress events
     * @param checkpointDirectory where checkpoints go, or null for none
     * @param checkpointEvery the interval in steps (the last step and a cancellation always write one)
     * @param validation validation samples, or null for none
     * @param cancelled polled at every step boundary
     * @param inspector called with the trained student before it is freed (tests: the frozen tensors), or null
     * @param teacherAhead whether a teacher on ONNX Runtime draws each step's sample while the subject step runs
     *     ({@link TeacherAhead}; the same adapter either way, tests compare the two)
     */
    public record Settings(
            FitListener listener,
            Path checkpointDirectory,
            int checkpointEvery,
            ValidationSamples validation,
            BooleanSupplier cancelled,
            java.util.function.Consumer<DjlInfinity> inspector,
            boolean teacherAhead) {
        /**
         * Validates.
         *
         * @param listener not null
         * @param checkpointDirectory any
         * @param checkpointEvery at least 1
         * @param validation any
         * @param cancelled not null
         * @param inspector any
         * @param teacherAhead any
         */
        public Settings {
            Objects.requireNonNull(listener, "listener");
            Objects.requireNonNull(cancelled, "cancelled");
            if (checkpointEvery < 1) {
                throw new IllegalArgumentException("checkpointEvery must be at least 1, got " + checkpointEvery);
            }
        }
    }

    private final FitNetworks nets;
    private final FitOptions options;
    private final String classWord;
    private final FitData data;
    private final BaseFingerprint baseFingerprint;
    private final Settings settings;
    private final FitIdentity identity;

    private FitLoop(
            FitNetworks nets,
            FitOptions options,
            String classWord,
            FitData data,
            BaseFingerprint baseFingerprint,
            Settings settings) {
        this.nets = nets;
        this.options = options;
        this.classWord = classWord;
        this.data = data;
        this.baseFingerprint = baseFingerprint;
        this.settings = settings;
        this.identity = identity(baseFingerprint, options, classWord, data);
    }

    /**
     * The fit's identity (what a checkpoint must match to be resumed).
     *
     * @param baseFingerprint the base
     * @param options the options
     * @param classWord the class word
     * @param data the prepared data
     * @return the identity
     */
    public static FitIdentity identity(
            BaseFingerprint baseFingerprint, FitOptions options, String classWord, FitData data) {
        return new FitIdentity(baseFingerprint.value(), options.toString(), classWord, data.imageFingerprints());
    }

    /**
     * Runs a fit: resumes from the checkpoint directory's checkpoint of this fit if there is one (refusing another
     * fit's), trains the remaining steps and returns the adapter.
     *
     * @param nets the base's networks
     * @param options the options
     * @param classWord the class word
     * @param data the prepared data
     * @param baseFingerprint the base's fingerprint
     * @param settings listener, checkpoints, validation, cancellation
     * @return the adapter
     * @throws dev.arbooth.train.CheckpointMismatchException if the directory holds another fit's checkpoint
     * @throws FitCancelledException if cancelled
     * @throws NonFiniteLossException if a loss is not finite
     */
    public static Adapter run(
            FitNetworks nets,
            FitOptions options,
            String classWord,
            FitData data,
            BaseFingerprint baseFingerprint,
            Settings settings) {
        return new FitLoop(nets, options, classWord, data, baseFingerprint, settings).run();
    }

    private Adapter run() {
        // PyTorch's grad mode is per thread and on by default on a new one (a FitJob's thread), where the optimizer's
        // in-place updates of leaves that require gradients would be refused; DJL's engine turns it off only on the
        // thread that loaded it. Gradients are recorded inside the iteration's collectors only.
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        Path dir = settings.checkpointDirectory();
        FitCheckpoint resume = dir == null ? null : FitCheckpoint.read(dir);
        if (resume != null) {
            resume.requireSameFit(dir, identity);
        }
        BaseModel base = nets.base();
        long[] identifierIds = FitData.identifierIds(nets.tokenizer(), options);
        try (DjlInfinity student = DjlInfinity.load(base.infinity(), base.transformerWeights());
                ArboothIteration it = ArboothIteration.create(
                        student, options, base.infinity().textChannels(), base.schedule());
                TeacherAhead ahead = settings.teacherAhead() ? TeacherAhead.startIfApart(it) : null) {
            int done = 0;
            double subjectLoss = Double.NaN;
            double priorLoss = Double.NaN;
            Path lastCheckpoint = null;
            int lastCheckpointStep = -1;
            if (resume != null) {
                it.restore(resume.tensors());
                done = resume.step();
                subjectLoss = resume.subjectLoss();
                priorLoss = resume.priorLoss();
                lastCheckpoint = FitCheckpoint.file(dir);
                lastCheckpointStep = done;
            }
            int steps = options.steps();
            ClassBatch classBatch = options.distillation().enabled()
                    ? data.classBatch(options.distillation().samples())
                    : null;
            long start = System.nanoTime();
            int ranHere = 0;
            while (done < steps) {
                // a step boundary: cancellation leaves a checkpoint of the completed steps
                if (settings.cancelled().getAsBoolean()
                        || Thread.currentThread().isInterrupted()) {
                    if (dir != null && lastCheckpointStep != done) {
                        lastCheckpoint = checkpoint(it, done, subjectLoss, priorLoss);
                    }
                    throw new FitCancelledException(done, dir == null ? null : lastCheckpoint);
                }
                int step = done; // 0-based index of the step about to run
                long stepSeed = FitSeeds.of(options.seed(), step, FitSeeds.ITERATION);
                // the teacher's sample depends on the step's seed alone: drawn on its own thread during the subject
                // step
                Future<TeacherSample> drawn =
                        ahead != null && classBatch != null ? ahead.draw(classBatch, stepSeed) : null;
                SubjectBatch batch = data.subjectBatch(options.seed(), step, options.batchSize());
                StepLosses subject = drawn == null
                        ? it.subjectStep(batch, stepSeed)
                        : ahead.besideTheTeacher(() -> it.subjectStep(batch, stepSeed));
                requireFinite(step + 1, "subject (weighted cross-entropy)", subject.loss(), lastCheckpoint);
                StepLosses prior = classBatch == null
                        ? null
                        : it.priorStep(classBatch, stepSeed, drawn == null ? null : TeacherAhead.await(drawn));
                if (prior != null) {
                    requireFinite(step + 1, "prior-distillation", prior.loss(), lastCheckpoint);
                }
                done = step + 1;
                ranHere++;
                subjectLoss = subject.loss();
                priorLoss = prior == null ? Double.NaN : prior.loss();
                double seconds = (System.nanoTime() - start) / 1e9;
                double rate = seconds > 0 ? ranHere / seconds : 0;
                Duration eta = rate > 0 ? Duration.ofMillis((long) ((steps - done) / rate * 1000)) : Duration.ZERO;
                List<Double> perScale = new ArrayList<>();
                for (float v : subject.perScale()) {
                    perScale.add((double) v);
                }
                settings.listener().onStep(new FitProgress(done, steps, subjectLoss, priorLoss, perScale, rate, eta));
                if (dir != null && (done % settings.checkpointEvery() == 0 || done == steps)) {
                    lastCheckpoint = checkpoint(it, done, subjectLoss, priorLoss);
                    lastCheckpointStep = done;
                }
                ValidationSamples v = settings.validation();
                if (v != null && (done % v.everySteps() == 0 || done == steps)) {
                    validate(it, identifierIds, v, done);
                }
            }
            Adapter adapter = adapter(it, subjectLoss, priorLoss);
            if (settings.inspector() != null) {
                settings.inspector().accept(student);
            }
            return adapter;
        }
    }

    private Path checkpoint(ArboothIteration it, int step, double subjectLoss, double priorLoss) {
        Path file = new FitCheckpoint(step, identity, subjectLoss, priorLoss, it.snapshot())
                .write(settings.checkpointDirectory());
        settings.listener().onCheckpoint(step, file);
        return file;
    }

    private static void requireFinite(int step, String which, float loss, Path lastCheckpoint) {
        if (!Float.isFinite(loss)) {
            throw new NonFiniteLossException(
                    step,
                    "The " + which + " loss of step " + step + " is " + loss + "; the fit stopped there"
                            + (lastCheckpoint == null
                                    ? " (no checkpoint was written before it)"
                                    : "; the last good checkpoint is " + lastCheckpoint)
                            + ". A lower learning rate usually helps.",
                    lastCheckpoint);
        }
    }

    private void validate(ArboothIteration it, long[] identifierIds, ValidationSamples v, int step) {
        Map<String, Tensor> trained = new LinkedHashMap<>(it.adapterTensors());
        Tensor rows = trained.remove(ArboothIteration.IDENTIFIER_KEY);
        List<String> prompts = v.prompts(options.identifier(), classWord);
        DjlSampler.Samples s = DjlSampler.sample(nets, trained, rows, identifierIds, prompts, v.sampling());
        Path grid = v.gridFile(step);
        try {
            java.nio.file.Files.createDirectories(v.directory());
        } catch (java.io.IOException e) {
            throw new dev.arbooth.ArboothException(
                    "Cannot create the validation directory " + v.directory() + ": " + e.getMessage(), e);
        }
        PngWriter.writeGrid(s.images_N3HW(), v.sampling().imagesPerPrompt(), grid);
        settings.listener().onValidation(step, grid);
    }

    private Adapter adapter(ArboothIteration it, double subjectLoss, double priorLoss) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(it.adapterTensors());
        Tensor rows = tensors.remove(ArboothIteration.IDENTIFIER_KEY);
        if (rows == null) {
            throw new IllegalStateException("the iteration's adapter tensors lack the identifier rows");
        }
        AdapterManifest manifest = AdapterManifest.create(
                baseFingerprint,
                nets.base().infinity(),
                options.identifier(),
                classWord,
                provenance(subjectLoss, priorLoss));
        return Adapter.of(manifest, tensors, rows);
    }

    /**
     * The adapter's provenance: every option ({@code option.<component>}), the seed, the steps, the image
     * fingerprints, the fit's fingerprint, the last step's losses and the base's directory (a hint for {@code
     * Generator.with(adapter)}; the fingerprint decides). Nothing about the run itself (times, checkpoint paths,
     * resumption), so that a resumed fit's adapter equals an uninterrupted one's.
     */
    private Map<String, String> provenance(double subjectLoss, double priorLoss) {
        Map<String, String> p = new TreeMap<>();
        for (RecordComponent c : FitOptions.class.getRecordComponents()) {
            try {
                p.put("option." + c.getName(), String.valueOf(c.getAccessor().invoke(options)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read FitOptions." + c.getName(), e);
            }
        }
        p.put("seed", Long.toString(options.seed()));
        p.put("steps", Integer.toString(options.steps()));
        p.put("images.count", Integer.toString(data.images()));
        List<String> fp = data.imageFingerprints();
        for (int i = 0; i < fp.size(); i++) {
            p.put(String.format(java.util.Locale.ROOT, "images.%02d.sha256", i), fp.get(i));
        }
        p.put("fit.fingerprint", identity.digest());
        p.put("loss.final.subject", Double.toString(subjectLoss));
        p.put("loss.final.prior", Double.toString(priorLoss));
        p.put("trainer", "arbooth-train FitLoop (DJL)");
        p.put(
                AdapterManifest.BASE_DIRECTORY_PROVENANCE,
                nets.base().directory().toAbsolutePath().normalize().toString());
        return p;
    }
}
