package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Degradation;
import dev.arbooth.toyworld.Mark;
import dev.arbooth.toyworld.Pattern;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.ToyImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Trains {@link ProbeNet} on freshly drawn scenes (never a stored data set): multi-head softmax cross-entropy,
 * AdamW, cosine learning rate, half of the renders degraded at random (2× or 4× blur, noise and colour
 * shift up to σ 0.05), one in four rendered at 128×128. Seeded, and the batch shards are summed in a fixed
 * order: the same options give the same weights with one or two threads.
 */
public final class ProbeTraining {
    /** Training scenes use seeds {@code TRAIN_SEED_BASE + i}; validation seeds stay far below. */
    public static final long TRAIN_SEED_BASE = 0x4000_0000_0000_0000L;

    /**
     * Training options.
     *
     * @param steps optimizer steps
     * @param batch scenes per step
     * @param learningRate peak AdamW learning rate (cosine decay after 200 warm-up steps)
     * @param weightDecay decoupled weight decay of the weights (not the biases)
     * @param seed the initialisation seed; it also offsets the training scene seeds
     */
    public record Options(int steps, int batch, double learningRate, double weightDecay, long seed) {
        /**
         * The options the shipped weights were trained with.
         *
         * @return 5000 steps of 32, learning rate 3e-3, weight decay 1e-4, seed 11
         */
        public static Options shipped() {
            return new Options(5000, 32, 3e-3, 1e-4, 11);
        }
    }

    private ProbeTraining() {}

    /**
     * The nine labels of a scene, −1 where a head has no answer (an invisible secondary colour).
     *
     * @param s the scene
     * @return the labels in head order
     */
    public static int[] labels(Scene s) {
        boolean secondaryShows =
                (s.traits().pattern() != Pattern.PLAIN || s.traits().mark() != Mark.NONE)
                        && s.traits().secondary() != s.colour();
        return new int[] {
            s.objectClass().ordinal(),
            s.context().ordinal(),
            s.accessory().ordinal(),
            s.colour().ordinal(),
            s.property().ordinal(),
            s.traits().pattern().ordinal(),
            secondaryShows ? s.traits().secondary().ordinal() : -1,
            s.traits().build().ordinal(),
            s.traits().mark().ordinal()
        };
    }

    /** Gradient buffers shaped like the parameters. */
    static float[][] zerosLike(ProbeNet net) {
        float[][] p = net.parameters();
        float[][] g = new float[p.length][];
        for (int i = 0; i < p.length; i++) {
            g[i] = new float[p[i].length];
        }
        return g;
    }

    /**
     * Backpropagates the summed cross-entropy of the labelled heads of one forward pass into {@code grads}
     * (added).
     *
     * @return the loss
     */
    static double backward(ProbeNet net, ProbeNet.Pass p, int[] labels, float[][] grads) {
        double[] prob = new double[ProbeNet.LOGITS];
        float[] dl = new float[ProbeNet.LOGITS];
        double loss = 0;
        for (int h = 0, off = 0; h < ProbeNet.HEADS.length; off += ProbeNet.HEADS[h], h++) {
            if (labels[h] < 0) {
                continue;
            }
            ProbeNet.softmax(p.logits, off, ProbeNet.HEADS[h], prob);
            loss -= StrictMath.log(Math.max(prob[off + labels[h]], 1e-30));
            for (int i = 0; i < ProbeNet.HEADS[h]; i++) {
                dl[off + i] = (float) (prob[off + i] - (i == labels[h] ? 1 : 0));
            }
        }
        float[] gW1 = grads[0];
        float[] gB1 = grads[1];
        float[] gW2 = grads[2];
        float[] gB2 = grads[3];
        float[] gW3 = grads[4];
        float[] gB3 = grads[5];
        float[] gWf = grads[6];
        float[] gBf = grads[7];
        float[] gWh = grads[8];
        float[] gBh = grads[9];
        float[] gWd = grads[10];
        float[] dh = new float[ProbeNet.HIDDEN];
        float[] df = new float[ProbeNet.FEATURES];
        for (int o = 0; o < ProbeNet.LOGITS; o++) {
            float d = dl[o];
            if (d == 0) {
                continue;
            }
            gBh[o] += d;
            int row = o * ProbeNet.HIDDEN;
            for (int k = 0; k < ProbeNet.HIDDEN; k++) {
                gWh[row + k] += d * p.h[k];
                dh[k] += net.wh[row + k] * d;
            }
            int drow = o * ProbeNet.FEATURES;
            for (int k = 0; k < ProbeNet.FEATURES; k++) {
                gWd[drow + k] += d * p.f[k];
                df[k] += net.wd[drow + k] * d;
            }
        }
        for (int o = 0; o < ProbeNet.HIDDEN; o++) {
            float d = p.h[o] > 0 ? dh[o] : 0;
            if (d == 0) {
                continue;
            }
            gBf[o] += d;
            int row = o * ProbeNet.FEATURES;
            for (int k = 0; k < ProbeNet.FEATURES; k++) {
                gWf[row + k] += d * p.f[k];
                df[k] += net.wf[row + k] * d;
            }
        }
        // the three views of a3 (2×2 max pool, global max, global mean), then through the ReLU
        float[] da3 = new float[p.a3.length];
        int pooled = ProbeNet.C3 * 16;
        for (int q = 0; q < pooled; q++) {
            da3[p.i3[q]] += df[q];
        }
        for (int c = 0; c < ProbeNet.C3; c++) {
            da3[p.imax[c]] += df[pooled + c];
            float mean = df[pooled + ProbeNet.C3 + c] / 64;
            for (int q = c * 64; q < c * 64 + 64; q++) {
                da3[q] += mean;
            }
        }
        for (int q = 0; q < da3.length; q++) {
            if (p.a3[q] <= 0) {
                da3[q] = 0;
            }
        }
        float[] dp2 = new float[p.p2.length];
        ProbeNet.convBackward(p.p2, ProbeNet.C2, 8, net.w3, ProbeNet.C3, 3, 1, 1, da3, 8, gW3, gB3, dp2);
        float[] da2 = unpool(dp2, p.i2, p.a2);
        float[] dp1 = new float[p.p1.length];
        ProbeNet.convBackward(p.p1, ProbeNet.C1, 16, net.w2, ProbeNet.C2, 3, 1, 1, da2, 16, gW2, gB2, dp1);
        float[] da1 = unpool(dp1, p.i1, p.a1);
        ProbeNet.convBackward(p.x, 3, 64, net.w1, ProbeNet.C1, 5, 2, 2, da1, 32, gW1, gB1, null);
        return loss;
    }

    /** Routes pooled gradients to the winning inputs, through the ReLU (zero where the activation is 0). */
    private static float[] unpool(float[] dOut, int[] idx, float[] act) {
        float[] d = new float[act.length];
        for (int q = 0; q < dOut.length; q++) {
            if (act[idx[q]] > 0) {
                d[idx[q]] += dOut[q];
            }
        }
        return d;
    }

    /** AdamW state. */
    static final class Adam {
        final float[][] m;
        final float[][] v;
        int t;

        Adam(ProbeNet net) {
            m = zerosLike(net);
            v = zerosLike(net);
        }

        void step(ProbeNet net, float[][] g, double lr, double wd, double scale) {
            t++;
            double b1 = 0.9;
            double b2 = 0.999;
            double c1 = 1 - StrictMath.pow(b1, t);
            double c2 = 1 - StrictMath.pow(b2, t);
            float[][] params = net.parameters();
            for (int i = 0; i < params.length; i++) {
                boolean decay = params[i].length > ProbeNet.HIDDEN; // weights, not biases
                float[] w = params[i];
                for (int k = 0; k < w.length; k++) {
                    double gk = g[i][k] * scale;
                    m[i][k] = (float) (b1 * m[i][k] + (1 - b1) * gk);
                    v[i][k] = (float) (b2 * v[i][k] + (1 - b2) * gk * gk);
                    double upd = (m[i][k] / c1) / (Math.sqrt(v[i][k] / c2) + 1e-8);
                    if (decay) {
                        upd += wd * w[k];
                    }
                    w[k] = (float) (w[k] - lr * upd);
                }
            }
        }
    }

    /** A training scene and its input (rendered, perhaps at 128, perhaps degraded). */
    static Scene sample(long index, float[] x) {
        long seed = TRAIN_SEED_BASE + index;
        Scene s = Sampler.scene(seed, Split.ALL);
        SplitMix64 r = SplitMix64.of(seed, 0x4155474DL);
        ToyImage img = s.render(r.chance(0.25) ? 128 : 64);
        if (r.chance(0.5)) {
            int factor = r.chance(0.5) ? 2 : 4;
            img = new Degradation(factor, r.uniform(0, 0.05), r.uniform(0, 0.05)).apply(img, r.nextLong());
        }
        ProbeInput.fill(img, x);
        return s;
    }

    /** The number of batch shards; each shard's gradients are summed in shard order (thread-count independent). */
    static final int SHARDS = 2;

    /**
     * Trains a new network. The batch is split into {@link #SHARDS} shards whose gradients are computed
     * (in parallel if {@code threads > 1}) into separate buffers and summed in shard order, so the weights do
     * not depend on the thread count.
     *
     * @param o the options
     * @param threads 1 or 2 worker threads
     * @param log receives a progress line every 100 steps
     * @return the trained network
     */
    public static ProbeNet train(Options o, int threads, Consumer<String> log) {
        return train(o, threads, log, null, 0);
    }

    /**
     * Trains a new network, or resumes one: with a {@code checkpoint} path, the whole training state (weights,
     * AdamW moments, step) is written there atomically every {@code every} steps and at the end, and a run
     * that finds a checkpoint of the same options continues from it. Sample seeds depend on the step only and
     * the state is stored exactly (float32), so a resumed run gives the same weights as an uninterrupted one.
     *
     * @param o the options
     * @param threads 1 or 2 worker threads
     * @param log receives a progress line every 100 steps
     * @param checkpoint the checkpoint file, or {@code null} for none
     * @param every steps between checkpoints (used when {@code checkpoint} is set; at least 1)
     * @return the trained network
     * @throws IllegalArgumentException if a checkpoint exists but was written with other options, or
     *     {@code every < 1} with a checkpoint
     * @throws dev.arbooth.ArboothException if the checkpoint cannot be read or written
     */
    public static ProbeNet train(Options o, int threads, Consumer<String> log, Path checkpoint, int every) {
        return trainUntil(o, threads, log, checkpoint, every, o.steps());
    }

    /** {@link #train(Options, int, Consumer, Path, int)} stopped after step {@code stopAt} (tests: a crash). */
    static ProbeNet trainUntil(Options o, int threads, Consumer<String> log, Path checkpoint, int every, int stopAt) {
        if (checkpoint != null && every < 1) {
            throw new IllegalArgumentException("checkpoint interval must be at least 1 step, got " + every);
        }
        ProbeNet net = new ProbeNet();
        net.initialise(o.seed());
        Adam adam = new Adam(net);
        int start = 0;
        double running = 0;
        double before = 0; // seconds spent before a resume
        if (checkpoint != null && Files.exists(checkpoint)) {
            Checkpoint.State st = Checkpoint.read(checkpoint, o, net, adam);
            start = st.step();
            running = st.running();
            before = st.seconds();
            log.accept(String.format("resumed from %s at step %d/%d", checkpoint, start, o.steps()));
        }
        ProbeNet.Pass[] passes = new ProbeNet.Pass[SHARDS];
        float[][][] grads = new float[SHARDS][][];
        for (int k = 0; k < SHARDS; k++) {
            passes[k] = new ProbeNet.Pass();
            grads[k] = zerosLike(net);
        }
        java.util.concurrent.ExecutorService pool =
                threads > 1 ? java.util.concurrent.Executors.newFixedThreadPool(Math.min(threads, SHARDS)) : null;
        try {
            long t0 = System.nanoTime();
            long sampleBase = o.seed() * 1_000_000_000L;
            for (int step = start; step < Math.min(stopAt, o.steps()); step++) {
                long first = sampleBase + (long) step * o.batch();
                double[] losses = new double[SHARDS];
                java.util.List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
                for (int k = 0; k < SHARDS; k++) {
                    int shard = k;
                    Runnable work = () -> {
                        for (float[] g : grads[shard]) {
                            java.util.Arrays.fill(g, 0f);
                        }
                        int from = shard * o.batch() / SHARDS;
                        int to = (shard + 1) * o.batch() / SHARDS;
                        double loss = 0;
                        for (int b = from; b < to; b++) {
                            Scene s = sample(first + b, passes[shard].x);
                            net.forward(passes[shard]);
                            loss += backward(net, passes[shard], labels(s), grads[shard]);
                        }
                        losses[shard] = loss;
                    };
                    if (pool == null) {
                        work.run();
                    } else {
                        futures.add(pool.submit(work));
                    }
                }
                for (java.util.concurrent.Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("training interrupted", e);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("training failed", e.getCause());
                    }
                }
                for (int k = 1; k < SHARDS; k++) {
                    for (int i = 0; i < grads[0].length; i++) {
                        float[] a = grads[0][i];
                        float[] b = grads[k][i];
                        for (int j = 0; j < a.length; j++) {
                            a[j] += b[j];
                        }
                    }
                }
                double loss = 0;
                for (double l : losses) {
                    loss += l;
                }
                double warm = Math.min(1.0, (step + 1) / 200.0);
                double lr = o.learningRate() * warm * 0.5 * (1 + StrictMath.cos(StrictMath.PI * step / o.steps()));
                adam.step(net, grads[0], lr, o.weightDecay(), 1.0 / o.batch());
                running = step == 0 ? loss / o.batch() : 0.98 * running + 0.02 * loss / o.batch();
                double seconds = before + (System.nanoTime() - t0) / 1e9;
                if ((step + 1) % 100 == 0) {
                    log.accept(String.format(
                            "step %d/%d  loss %.3f  lr %.2e  %.1f s", step + 1, o.steps(), running, lr, seconds));
                }
                if (checkpoint != null && ((step + 1) % every == 0 || step + 1 == o.steps())) {
                    Checkpoint.write(checkpoint, o, step + 1, running, seconds, net, adam);
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return net;
    }
}
