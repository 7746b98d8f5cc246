package dev.arbooth.pretrain;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A stop asked for from outside the training loop — SIGTERM, Ctrl-C, the end of a session — taken at the next step
 * boundary. Without it the JVM's exit tears libtorch's static state down while the training thread is still inside
 * a backward pass, and the process dies with a SIGSEGV in native code ({@code at::accelerator::getAccelerator},
 * {@code dnnl_primitive_execute}: 2 of 10 SIGTERMs sent during the VAE's first steps; {@code docs/toy-model.md},
 * "Known defects").
 *
 * <p>The shutdown hook of {@link #onShutdown} sets the request and waits (at most its patience) until the training
 * thread reaches a boundary ({@link #atBoundary}): that thread writes its checkpoint, releases the hook and parks
 * for good, so that no native call runs while the JVM halts. A run that ends by itself calls {@link #finished()}, and
 * a hook that comes after it does not wait.
 */
final class GracefulStop {
    private static final GracefulStop NEVER = new GracefulStop(Duration.ZERO, null);

    private final Duration patience;
    private final PrintStream log;
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean requested;

    private GracefulStop(Duration patience, PrintStream log) {
        this.patience = patience;
        this.log = log;
    }

    /**
     * A stop that is never requested (tests, and runs inside another program).
     *
     * @return the shared instance
     */
    static GracefulStop never() {
        return NEVER;
    }

    /**
     * A stop requested by the JVM's shutdown (a shutdown hook is registered).
     *
     * @param patience how long the hook waits for a step boundary before the JVM exits anyway
     * @param log where the stop is reported
     * @return the stop
     */
    static GracefulStop onShutdown(Duration patience, PrintStream log) {
        GracefulStop stop = unregistered(patience, log);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::requestAndAwait, "arbooth-pretrain-stop"));
        return stop;
    }

    /**
     * A stop requested by calling {@link #requestAndAwait()} (what the shutdown hook calls; tests).
     *
     * @param patience how long {@link #requestAndAwait()} waits for a step boundary
     * @param log where the stop is reported
     * @return the stop
     */
    static GracefulStop unregistered(Duration patience, PrintStream log) {
        return new GracefulStop(patience, log);
    }

    /**
     * Requests the stop and waits until the training thread has taken it at a boundary, has finished, or the
     * patience ran out.
     *
     * @return whether the training thread released it in time
     */
    boolean requestAndAwait() {
        requested = true;
        try {
            return released.await(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether a stop was requested.
     *
     * @return true after {@link #requestAndAwait()}
     */
    boolean requested() {
        return requested;
    }

    /**
     * A step boundary of the training thread: returns at once unless a stop was requested; then runs {@code save}
     * (the checkpoint), releases the requester and parks this thread until the JVM halts. Never returns after a
     * request.
     *
     * @param where what was done so far, for the log (e.g. {@code "vae step 812"})
     * @param save writes what a resume needs; may be a no-op
     */
    void atBoundary(String where, Runnable save) {
        if (!requested) {
            return;
        }
        try {
            save.run();
            if (log != null) {
                log.println();
                log.println("stopped at " + where + " on request; the checkpoint is written, the same command resumes");
                log.flush();
            }
        } finally {
            released.countDown();
        }
        while (true) {
            LockSupport.park(this);
        }
    }

    /** The run ended by itself: a later request (the JVM's normal exit) does not wait. */
    void finished() {
        released.countDown();
    }
}
