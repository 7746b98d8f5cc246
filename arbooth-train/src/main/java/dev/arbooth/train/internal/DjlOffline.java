package dev.arbooth.train.internal;

/** DJL's offline switches, set before any DJL component (engine, tokenizers) first loads natives. */
final class DjlOffline {
    private DjlOffline() {}

    /** Sets DJL's offline and telemetry opt-out properties unless the caller set them. */
    static void configure() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("DJL_OFFLINE", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
