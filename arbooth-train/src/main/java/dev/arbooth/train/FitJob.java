package dev.arbooth.train;

import dev.arbooth.ArboothException;
import dev.arbooth.adapter.Adapter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fit running on a thread of its own ({@link Personalizer#start}): wait for its adapter, or cancel it from any
 * thread. Cancellation is cooperative: the fit stops at the next step boundary (after the running step, within one
 * step's time), writes a checkpoint of the completed steps if a directory was configured, and {@link #await()} then
 * throws {@link FitCancelledException}. Starting the same fit again with the same checkpoint directory resumes it.
 *
 * <pre>{@code
 * FitJob job = personalizer.start(photos, "dog");
 * // … from another thread, e.g. a UI's cancel button:
 * job.cancel();
 * // … on the waiting thread:
 * try { Adapter a = job.await(); } catch (FitCancelledException e) { e.checkpoint(); }
 * }</pre>
 */
public final class FitJob {
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final CompletableFuture<Adapter> result = new CompletableFuture<>();

    FitJob() {}

    /** The cancellation flag the fit polls at every step boundary. */
    boolean isCancellationRequested() {
        return cancelled.get();
    }

    void complete(Adapter adapter) {
        result.complete(adapter);
    }

    void fail(Throwable t) {
        result.completeExceptionally(t);
    }

    /**
     * Asks the fit to stop at the next step boundary. Idempotent; returns at once.
     *
     * @return whether this call requested it (false if it was requested before or the fit has ended)
     */
    public boolean cancel() {
        return !result.isDone() && cancelled.compareAndSet(false, true);
    }

    /**
     * Whether the fit has ended (with an adapter, cancelled, or failed).
     *
     * @return whether {@link #await()} returns without waiting
     */
    public boolean isDone() {
        return result.isDone();
    }

    /**
     * Waits for the fit's end.
     *
     * @return the adapter
     * @throws FitCancelledException if the fit was cancelled
     * @throws ArboothException (or another unchecked exception) as the fit threw it
     * @throws ArboothException if this thread is interrupted while waiting (the fit continues; cancel it)
     */
    public Adapter await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArboothException("Interrupted while waiting for the fit (it continues; cancel() stops it)", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /**
     * Waits at most a while for the fit's end.
     *
     * @param timeout how long to wait
     * @return the adapter
     * @throws ArboothException if the fit has not ended by then (it continues), or as {@link #await()}
     */
    public Adapter await(Duration timeout) {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArboothException("Interrupted while waiting for the fit (it continues; cancel() stops it)", e);
        } catch (TimeoutException e) {
            throw new ArboothException("The fit has not ended within " + timeout + " (it continues)", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new ArboothException("The fit failed: " + cause, cause);
    }
}
