package dev.arbooth.train.internal;

import ai.djl.ndarray.NDManager;
import dev.arbooth.base.BaseModel;
import dev.arbooth.text.internal.T5Tokenizer;

/**
 * The frozen networks of a base that a fit uses besides the transformer (tokenizer, T5 encoder, VAE), opened once
 * on first use and shared by every fit of a personalizer; {@link #close()} frees them. Not thread-safe (fits of one
 * personalizer run one at a time).
 */
public final class FitNetworks implements AutoCloseable {
    private final BaseModel base;
    private T5Tokenizer tokenizer;
    private NDManager manager;
    private DjlT5 t5;
    private DjlVae vae;
    private boolean closed;

    /**
     * Networks of a base, opened lazily.
     *
     * @param base the base
     */
    public FitNetworks(BaseModel base) {
        this.base = java.util.Objects.requireNonNull(base, "base");
    }

    /**
     * The base.
     *
     * @return the base
     */
    public BaseModel base() {
        return base;
    }

    /**
     * The tokenizer (maximum length the T5 configuration's).
     *
     * @return the tokenizer
     */
    public T5Tokenizer tokenizer() {
        ensureOpen();
        if (tokenizer == null) {
            tokenizer = T5Tokenizer.open(base.tokenizer(), base.textEncoder().textMaxLength());
        }
        return tokenizer;
    }

    /**
     * The T5 encoder on DJL.
     *
     * @return the encoder
     * @throws dev.arbooth.ArboothException if the base's text encoder is an ONNX file (no weights for DJL)
     */
    public DjlT5 t5() {
        ensureOpen();
        if (t5 == null) {
            if (base.textEncoderIsOnnx()) {
                throw new dev.arbooth.ArboothException("The base '" + base.name() + "' has its text encoder as ONNX ("
                        + base.textEncoderWeights() + "); fitting needs the encoder's checkpoint for DJL");
            }
            t5 = DjlT5.load(manager(), base.textEncoder(), base.textEncoderWeights());
        }
        return t5;
    }

    /**
     * The VAE on DJL.
     *
     * @return the VAE
     */
    public DjlVae vae() {
        ensureOpen();
        if (vae == null) {
            vae = DjlVae.load(base.vaeWeights(), base.vae());
        }
        return vae;
    }

    private NDManager manager() {
        if (manager == null) {
            manager = DjlEngine.pytorch().newBaseManager();
        }
        return manager;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("This personalizer is closed");
        }
    }

    /** Frees every opened network. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (vae != null) {
            vae.close();
        }
        if (t5 != null) {
            t5.close();
        }
        if (manager != null) {
            manager.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
