package dev.arbooth.text.internal;

/** DJL's offline switches, set before any DJL component (engine, tokenizers) first loads natives. */
public final class DjlOffline {
    private DjlOffline() {}

    /**
     * Sets DJL's offline and telemetry opt-out properties unless the caller set them, and probes the GPU once
     * with DJL's per-query CUDA warnings off ({@link DjlGpu}).
     */
    public static void configure() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("DJL_OFFLINE", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        DjlGpu.probeOnce();
    }

    /**
     * Sets a system property unless it is already set.
     *
     * @param key the property
     * @param value the value to set when absent
     */
    public static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
