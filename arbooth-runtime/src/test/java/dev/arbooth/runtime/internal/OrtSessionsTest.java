package dev.arbooth.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OrtSessionsTest {
    private static final Map<String, String> OFF = Map.of("session.intra_op.allow_spinning", "0");
    private static final Map<String, String> BOUNDED = Map.of(
            "session.intra_op.allow_spinning",
            "1",
            "session.intra_op.spin_duration_us",
            Integer.toString(OrtSessions.SPIN_MICROS));

    @Test
    void boundedSpinningFromOnnxRuntime129() {
        assertEquals(BOUNDED, OrtSessions.spinning("1.29.0"));
        assertEquals(BOUNDED, OrtSessions.spinning("1.30.2"));
        assertEquals(BOUNDED, OrtSessions.spinning("2.0.0"));
        assertEquals(BOUNDED, OrtSessions.spinning("1.29"));
    }

    @Test
    void olderOrUnknownVersionsNeverSpin() {
        // they ignore spin_duration_us and would spin without bound
        assertEquals(OFF, OrtSessions.spinning("1.28.9"));
        assertEquals(OFF, OrtSessions.spinning("1.9.0"));
        assertEquals(OFF, OrtSessions.spinning("0.99.0"));
        assertEquals(OFF, OrtSessions.spinning(""));
        assertEquals(OFF, OrtSessions.spinning("dev"));
        assertEquals(OFF, OrtSessions.spinning(null));
    }

    @Test
    void theBundledOnnxRuntimeSpinsBounded() throws Exception {
        assertEquals(BOUNDED, OrtSessions.spinning(OrtSessions.environment().getVersion()));
    }
}
