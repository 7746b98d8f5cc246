package dev.arbooth.train.internal;

import ai.djl.pytorch.jni.JniUtils;
import com.google.common.util.concurrent.Uninterruptibles;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Draws a step's prior-distillation teacher sample on a thread of its own while the student's subject step runs on
 * the calling thread. The sample is a pure function of the frozen teacher, the class prompts and the step's seed
 * ({@link ArboothIteration#teacherSampleOfStep}), so a fit gives the same adapter, bit for bit, with or without it;
 * what changes is that the teacher's sampling on ONNX Runtime and the student's backward on libtorch, neither of
 * which fills two cores at the toy base's size, overlap ({@code docs/benchmarks.md}, "The teacher drawn ahead").
 *
 * <p>Only for a teacher that {@linkplain ArboothIteration#teacherRunsApart() runs apart} from DJL. {@link #close()}
 * waits for a draw still running, so close this before the iteration whose ONNX Runtime sessions it uses.
 */
final class TeacherAhead implements AutoCloseable {
    private final ArboothIteration iteration;
    private final ExecutorService thread;
    private final int threads;
    private final int studentThreads;

    /**
     * A drawer whose student steps run on {@code studentThreads} of libtorch's {@code threads} beside it.
     *
     * @param iteration the iteration whose teacher draws
     * @param threads libtorch's thread count outside {@link #besideTheTeacher}
     * @param studentThreads libtorch's thread count inside it
     */
    TeacherAhead(ArboothIteration iteration, int threads, int studentThreads) {
        this.iteration = iteration;
        this.threads = threads;
        this.studentThreads = studentThreads;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "arbooth-teacher");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the drawing thread for an iteration whose teacher runs apart, building the teacher on the calling
     * thread first.
     *
     * @param iteration the iteration
     * @return the drawer, or null when the iteration's teacher does not run apart (the prior step draws it)
     */
    static TeacherAhead startIfApart(ArboothIteration iteration) {
        if (!iteration.teacherRunsApart()) {
            return null;
        }
        int threads = DjlEngine.intraOpThreads();
        int teacher = teacherThreads(threads);
        iteration.prepareTeacher(teacher);
        return new TeacherAhead(iteration, threads, Math.max(1, threads - teacher));
    }

    /**
     * The teacher's share of the cores: half, at least one (its sampling is a forward pass at a third of the
     * student's rows).
     *
     * @param threads the intra-op threads of the process's engines
     * @return the teacher's ONNX Runtime threads
     */
    static int teacherThreads(int threads) {
        return Math.max(1, threads / 2);
    }

    /**
     * Runs a student step while a draw may be running: libtorch gets the cores the teacher does not use (with 2, one
     * each) and all of them again afterwards. Two engines that each spread over every core while they run at once
     * lose more to each other than the partition costs (the toy base's fit steps 9–15 % faster than with both
     * engines on two threads, in interleaved runs; {@code docs/benchmarks.md}, "Fewer operations, both cores").
     * libtorch's thread count is its process-wide setting.
     *
     * @param step the step
     * @param <T> its result
     * @return what the step returned
     */
    <T> T besideTheTeacher(Supplier<T> step) {
        if (studentThreads == threads) {
            return step.get();
        }
        JniUtils.setNumThreads(studentThreads);
        try {
            return step.get();
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    /**
     * Starts drawing a step's sample.
     *
     * @param batch the step's class prompts
     * @param stepSeed the step's seed
     * @return the sample to come
     */
    Future<TeacherSample> draw(ClassBatch batch, long stepSeed) {
        Objects.requireNonNull(batch, "batch");
        return thread.submit(() -> iteration.teacherSampleOfStep(batch, stepSeed));
    }

    /**
     * Waits for a drawn sample. An interrupt while waiting does not abandon the step: the wait goes on (a draw
     * takes milliseconds) and the interrupt is kept for the fit's next step boundary, where it cancels the fit.
     *
     * @param drawn what {@link #draw} returned
     * @return the sample
     * @throws RuntimeException what the drawing threw (an {@link Error} is rethrown as it is)
     */
    static TeacherSample await(Future<TeacherSample> drawn) {
        try {
            return Uninterruptibles.getUninterruptibly(drawn);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("the teacher's sampling failed: " + cause, cause);
        }
    }

    /** Stops the thread after any draw still running (which then cannot outlive the teacher's sessions). */
    @Override
    public void close() {
        thread.shutdown();
        // an interrupt is no timeout: the wait goes on for the draw, and the interrupt is kept
        if (!Uninterruptibles.awaitTerminationUninterruptibly(thread, Duration.ofMinutes(10))) {
            throw new IllegalStateException("the teacher's sampling thread did not stop within 10 minutes");
        }
    }
}
