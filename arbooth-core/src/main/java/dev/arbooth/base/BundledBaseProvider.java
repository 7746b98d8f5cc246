package dev.arbooth.base;

/**
 * A base model shipped inside a library jar, found by {@link BaseModel#bundled()} through {@link
 * java.util.ServiceLoader}. The SDK's own is the toy base of {@code dev.arbooth:arbooth-toybase}; a jar of one's
 * own (another base, packaged the same way) can provide one instead.
 *
 * <p>Implementations are registered as {@code provides dev.arbooth.base.BundledBaseProvider with ...} in their
 * {@code module-info.java} and in {@code META-INF/services/dev.arbooth.base.BundledBaseProvider} (class-path use),
 * and must have a public no-argument constructor.
 */
public interface BundledBaseProvider {
    /**
     * The base's name (as in its descriptor), used when several providers are present.
     *
     * @return the name
     */
    String name();

    /**
     * Makes the base's files available as a directory (extracting them from the jar when needed) and loads its
     * descriptor.
     *
     * @return the base model
     * @throws dev.arbooth.ArboothException if the files cannot be made available or are corrupt
     */
    BaseModel load();
}
