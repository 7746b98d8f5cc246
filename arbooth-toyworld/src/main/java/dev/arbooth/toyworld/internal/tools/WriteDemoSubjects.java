package dev.arbooth.toyworld.internal.tools;

import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Subject;
import dev.arbooth.toyworld.ToyWorld;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Writes the demo subjects' photos ({@link ToyWorld#DEMO_PHOTO_COUNT} each, seed {@link
 * ToyWorld#DEMO_PHOTO_SEED}, 64×64 PNG) and {@code subjects.tsv} (name, class, subject seed, colour,
 * traits, photo seed).
 *
 * <p>Usage: {@code WriteDemoSubjects [dir]}, default {@code
 * arbooth-toyworld/src/main/resources/dev/arbooth/toyworld/demo}.
 */
public final class WriteDemoSubjects {
    private WriteDemoSubjects() {}

    /**
     * Entry point.
     *
     * @param args optional target directory
     */
    public static void main(String[] args) {
        Path dir =
                Paths.get(args.length > 0 ? args[0] : "arbooth-toyworld/src/main/resources/dev/arbooth/toyworld/demo");
        StringBuilder tsv = new StringBuilder(
                "name\tclass\tsubject_seed\tcolour\tpattern\tsecondary\tbuild\tmark\tphoto_seed\tphotos\n");
        for (Map.Entry<String, Subject> e : ToyWorld.demoSubjects().entrySet()) {
            Subject s = e.getValue();
            List<Scene> photos = s.photos(ToyWorld.DEMO_PHOTO_COUNT, ToyWorld.DEMO_PHOTO_SEED);
            for (int i = 0; i < photos.size(); i++) {
                photos.get(i)
                        .render(ToyWorld.DEFAULT_SIZE)
                        .writePng(dir.resolve(e.getKey()).resolve(String.format("%02d.png", i)));
            }
            tsv.append(String.join(
                            "\t",
                            e.getKey(),
                            s.objectClass().word(),
                            Long.toString(s.seed()),
                            s.colour().word(),
                            s.traits().pattern().name().toLowerCase(java.util.Locale.ROOT),
                            s.traits().secondary().word(),
                            s.traits().build().name().toLowerCase(java.util.Locale.ROOT),
                            s.traits().mark().name().toLowerCase(java.util.Locale.ROOT),
                            Long.toString(ToyWorld.DEMO_PHOTO_SEED),
                            Integer.toString(photos.size())))
                    .append('\n');
        }
        AtomicFiles.write(dir.resolve("subjects.tsv"), tsv.toString().getBytes(StandardCharsets.UTF_8));
        System.out.println("wrote " + dir.toAbsolutePath());
    }
}
