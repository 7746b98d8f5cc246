package dev.arbooth.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this library, for provenance (adapter manifests) and cache keys (emitted graphs): read
 * from the {@code pom.properties} that Maven packs into the core jar; {@value #UNPACKAGED} when running from
 * unpackaged classes (tests, IDEs).
 */
public final class LibraryVersion {
    /** The version reported when the classes do not come from a packaged jar. */
    public static final String UNPACKAGED = "unpackaged";

    private static final String POM_PROPERTIES = "/META-INF/maven/dev.arbooth/arbooth-core/pom.properties";
    private static final String VERSION = read();

    private LibraryVersion() {}

    /**
     * The library version string.
     *
     * @return e.g. {@code "0.1.0-SNAPSHOT"}, or {@value #UNPACKAGED}
     */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = LibraryVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) {
                return UNPACKAGED;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null || v.isBlank() ? UNPACKAGED : v.trim();
        } catch (IOException e) {
            return UNPACKAGED;
        }
    }
}
