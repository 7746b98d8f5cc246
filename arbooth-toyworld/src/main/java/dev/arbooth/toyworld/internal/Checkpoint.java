package dev.arbooth.toyworld.internal;

import dev.arbooth.ArboothException;
import dev.arbooth.internal.io.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The probes' training state on disk (weights, AdamW moments and step, all float32, big-endian), so that a
 * long training run can be stopped and resumed with the same result. Written atomically.
 */
final class Checkpoint {
    private static final int MAGIC = 0x54575043; // "TWPC"
    private static final int VERSION = 1;

    /** What a checkpoint says besides the tensors. */
    record State(int step, double running, double seconds) {}

    private Checkpoint() {}

    static void write(
            Path target,
            ProbeTraining.Options o,
            int step,
            double running,
            double seconds,
            ProbeNet net,
            ProbeTraining.Adam adam) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            writeOptions(out, o);
            out.writeInt(step);
            out.writeInt(adam.t);
            out.writeDouble(running);
            out.writeDouble(seconds);
            for (float[][] group : new float[][][] {net.parameters(), adam.m, adam.v}) {
                for (float[] a : group) {
                    out.writeInt(a.length);
                    for (float f : a) {
                        out.writeFloat(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new ArboothException("cannot encode the probe training checkpoint for " + target, e);
        }
        AtomicFiles.write(target, bytes.toByteArray());
    }

    /** Reads a checkpoint into {@code net} and {@code adam}, after checking it was written with {@code o}. */
    static State read(Path source, ProbeTraining.Options o, ProbeNet net, ProbeTraining.Adam adam) {
        byte[] all;
        try {
            all = Files.readAllBytes(source);
        } catch (IOException e) {
            throw new ArboothException("cannot read the probe training checkpoint " + source, e);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new ArboothException(
                        source + " is not a probe training checkpoint (version " + VERSION + " expected)");
            }
            ProbeTraining.Options saved = new ProbeTraining.Options(
                    in.readInt(), in.readInt(), in.readDouble(), in.readDouble(), in.readLong());
            if (!saved.equals(o)) {
                throw new IllegalArgumentException("checkpoint " + source + " was written with " + saved + ", not " + o
                        + "; remove it or train with its options");
            }
            int step = in.readInt();
            adam.t = in.readInt();
            double running = in.readDouble();
            double seconds = in.readDouble();
            for (float[][] group : new float[][][] {net.parameters(), adam.m, adam.v}) {
                for (float[] a : group) {
                    int n = in.readInt();
                    if (n != a.length) {
                        throw new ArboothException("checkpoint " + source + ": a tensor of " + n + " values where "
                                + a.length + " were expected");
                    }
                    for (int i = 0; i < n; i++) {
                        a[i] = in.readFloat();
                    }
                }
            }
            if (in.available() != 0) {
                throw new ArboothException("checkpoint " + source + ": " + in.available() + " trailing bytes");
            }
            return new State(step, running, seconds);
        } catch (java.io.EOFException e) {
            throw new ArboothException("checkpoint " + source + " is truncated", e);
        } catch (IOException e) {
            throw new ArboothException("cannot read the probe training checkpoint " + source, e);
        }
    }

    private static void writeOptions(DataOutputStream out, ProbeTraining.Options o) throws IOException {
        out.writeInt(o.steps());
        out.writeInt(o.batch());
        out.writeDouble(o.learningRate());
        out.writeDouble(o.weightDecay());
        out.writeLong(o.seed());
    }
}
