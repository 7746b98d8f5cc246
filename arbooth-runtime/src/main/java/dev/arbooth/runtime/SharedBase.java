package dev.arbooth.runtime;

import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.base.BaseModel;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.runtime.internal.GraphCache;
import dev.arbooth.runtime.internal.OrtInfinity;
import dev.arbooth.runtime.internal.OrtT5;
import dev.arbooth.runtime.internal.OrtVae;
import dev.arbooth.runtime.internal.OrtWeights;
import dev.arbooth.runtime.internal.SessionFactory;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.T5Tokenizer;
import dev.arbooth.text.internal.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A base model open on ONNX Runtime, shared by every {@link Generator} on it (reference-counted): the
 * mapped checkpoints, the transformer's weights as external initializers, the T5 and VAE models, the
 * tokenizer and the base's fingerprint (computed once, on first need).
 */
final class SharedBase {
    private final BaseModel model;
    private final SessionFactory factory;
    private final List<AutoCloseable> files = new ArrayList<>();
    private final StateDict transformer;
    private final OrtWeights weights;
    private final OrtT5 t5;
    private final OrtVae vae;
    private final T5Tokenizer tokenizer;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile BaseFingerprint fingerprint;

    private SharedBase(BaseModel model, Device device) {
        this.model = model;
        this.factory = SessionFactory.create(device, GraphCache.atDefault());
        try {
            CheckpointFile tf = Checkpoints.open(model.transformerWeights());
            files.add(tf);
            this.transformer = StateDict.of(InfinityWeights.bind(model.infinity(), tf));
            this.weights = OrtWeights.create(transformer);
            files.add(weights);
            if (model.textEncoderIsOnnx()) {
                this.t5 = OrtT5.external(model.textEncoder(), model.textEncoderWeights(), factory);
            } else {
                CheckpointFile t5File = Checkpoints.open(model.textEncoderWeights());
                files.add(t5File);
                this.t5 = OrtT5.create(model.textEncoder(), t5File, factory);
            }
            files.add(t5);
            CheckpointFile vaeFile = Checkpoints.open(model.vaeWeights());
            files.add(vaeFile);
            this.vae = OrtVae.create(model.vae(), vaeFile, factory);
            files.add(vae);
            this.tokenizer =
                    T5Tokenizer.open(model.tokenizer(), model.textEncoder().textMaxLength());
            files.add(tokenizer);
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
    }

    static SharedBase open(BaseModel model, Device device) {
        return new SharedBase(model, device);
    }

    BaseModel model() {
        return model;
    }

    OrtWeights weights() {
        return weights;
    }

    Device.Resolved device() {
        return factory.device();
    }

    OrtVae vae() {
        return vae;
    }

    OrtInfinity newInfinity(OrtWeights w) {
        return OrtInfinity.on(model.infinity(), w, factory);
    }

    BaseFingerprint fingerprint() {
        BaseFingerprint f = fingerprint;
        if (f == null) {
            synchronized (this) {
                f = fingerprint;
                if (f == null) {
                    f = BaseFingerprint.of(model.infinity(), transformer.toMap());
                    fingerprint = f;
                }
            }
        }
        return f;
    }

    long[] identifierIds(String identifier) {
        synchronized (tokenizer) {
            return tokenizer.encodeWord(identifier);
        }
    }

    TokenBatch tokenize(List<String> prompts) {
        synchronized (tokenizer) {
            return tokenizer.encode(prompts, T5Tokenizer.Padding.LONGEST);
        }
    }

    /** T5 on the tokens, then each prompt's real rows concatenated. */
    TextFeatures encodeText(TokenBatch tokens) {
        int b = tokens.batchSize();
        int s = tokens.sequenceLength();
        int d = model.textEncoder().dModel();
        float[] hidden = t5.encode(tokens.ids().toLongArray(), tokens.mask().toLongArray(), b, s);
        int[] lens = tokens.lengths();
        int n = 0;
        for (int len : lens) {
            n += len;
        }
        float[] compact = new float[n * d];
        int at = 0;
        for (int i = 0; i < b; i++) {
            System.arraycopy(hidden, i * s * d, compact, at, lens[i] * d);
            at += lens[i] * d;
        }
        return TextFeatures.of(Tensor.ofFloats(compact, n, d), lens);
    }

    void retain() {
        if (refs.getAndIncrement() <= 0) {
            refs.decrementAndGet();
            throw new IllegalStateException("The base model is closed");
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            closeAll();
        }
    }

    private void closeAll() {
        for (int i = files.size() - 1; i >= 0; i--) {
            try {
                files.get(i).close();
            } catch (Exception ignored) {
                // closing is best effort; nothing useful to report to the caller here
            }
        }
        files.clear();
    }
}
