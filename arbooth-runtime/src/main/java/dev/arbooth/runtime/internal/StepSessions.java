package dev.arbooth.runtime.internal;

import ai.onnxruntime.OrtSession;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;

/**
 * Where an {@link OrtInfinityStepper} gets the session of each scale's step graph: emitted from the network
 * ({@link OrtInfinity}) or opened from the files of an ONNX export. Implementations are thread-safe.
 */
public interface StepSessions {
    /**
     * The architecture.
     *
     * @return the configuration
     */
    InfinityConfig config();

    /**
     * The session of step {@code k} for a shape ({@code InfinityGraphs.step}).
     *
     * @param schedule the scale schedule
     * @param k the scale
     * @param rows R
     * @param inputRows B, the rows of the next-scale input
     * @return the session
     */
    OrtSession stepSession(ScaleSchedule schedule, int k, int rows, int inputRows);
}
