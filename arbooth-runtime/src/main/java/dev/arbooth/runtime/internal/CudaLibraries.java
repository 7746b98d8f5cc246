package dev.arbooth.runtime.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CUDA 12 / cuDNN 9 shared libraries that ONNX Runtime's CUDA provider loads, and a look for them on
 * the library path. ONNX Runtime only prints the name of a library it failed to load to the native stderr,
 * so this look lets an error message name what is missing. It is a hint, not a loader: a library found
 * here can still fail to load (wrong version, no driver), and one in a directory the dynamic loader
 * knows only through {@code /etc/ld.so.cache} is reported as not found.
 */
public final class CudaLibraries {
    /** The libraries ONNX Runtime 1.2x's CUDA 12 provider needs on Linux. */
    public static final List<String> LINUX = List.of(
            "libcudart.so.12",
            "libcublas.so.12",
            "libcublasLt.so.12",
            "libcufft.so.11",
            "libcurand.so.10",
            "libcudnn.so.9");

    /** The libraries ONNX Runtime 1.2x's CUDA 12 provider needs on Windows. */
    public static final List<String> WINDOWS = List.of(
            "cudart64_12.dll",
            "cublas64_12.dll",
            "cublasLt64_12.dll",
            "cufft64_11.dll",
            "curand64_10.dll",
            "cudnn64_9.dll");

    private static final List<String> LINUX_DIRS = List.of(
            "/usr/local/cuda/lib64",
            "/usr/local/cuda-12/lib64",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/usr/lib64",
            "/usr/lib",
            "/lib/x86_64-linux-gnu",
            "/lib64");

    private CudaLibraries() {}

    /** Whether this platform's library names are Windows DLLs. */
    static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /**
     * The libraries needed on this platform.
     *
     * @return {@link #WINDOWS} on Windows, else {@link #LINUX}
     */
    public static List<String> required() {
        return isWindows() ? WINDOWS : LINUX;
    }

    /**
     * The directories searched on this machine: the library path variable ({@code LD_LIBRARY_PATH}, or
     * {@code PATH} on Windows), {@code CUDA_PATH}/{@code CUDA_HOME} ({@code lib64} or {@code bin}), then the
     * usual system directories.
     *
     * @return existing directories, in search order, without duplicates
     */
    public static List<Path> searchDirectories() {
        Set<Path> dirs = new LinkedHashSet<>();
        boolean windows = isWindows();
        String path = System.getenv(windows ? "PATH" : "LD_LIBRARY_PATH");
        if (path != null) {
            for (String p : path.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    dirs.add(Paths.get(p));
                }
            }
        }
        for (String env : List.of("CUDA_PATH", "CUDA_HOME")) {
            String home = System.getenv(env);
            if (home != null && !home.isBlank()) {
                dirs.add(Paths.get(home, windows ? "bin" : "lib64"));
            }
        }
        if (!windows) {
            LINUX_DIRS.forEach(d -> dirs.add(Paths.get(d)));
        }
        List<Path> existing = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.isDirectory(d)) {
                existing.add(d);
            }
        }
        return existing;
    }

    /**
     * The required libraries found in none of the directories.
     *
     * @param libraries the file names to look for
     * @param directories where to look
     * @return the missing names, in the order given
     */
    public static List<String> missing(List<String> libraries, List<Path> directories) {
        List<String> out = new ArrayList<>();
        for (String lib : libraries) {
            boolean found = false;
            for (Path d : directories) {
                if (Files.exists(d.resolve(lib))) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                out.add(lib);
            }
        }
        return out;
    }
}
