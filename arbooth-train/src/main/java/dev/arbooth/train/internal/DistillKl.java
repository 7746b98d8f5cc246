package dev.arbooth.train.internal;

/**
 * ARBooth's soft distillation loss evaluated in double on the host, with its exact gradient with respect to the
 * student's logits: {@code kl[b,l] = sum_V p (log p - log q)}, {@code p = softmax(teacher / T)}, {@code q =
 * softmax(student / T)} over all {@code V = 2d} logits of a token; {@code loss = lambda * mean_b(sum_l kl[b,l] /
 * L)}; {@code d loss / d student = lambda (q - p) / (T B L)}. The loss is a small sum of nearly cancelling terms
 * (at the first iteration the student is one learning-rate step from the teacher), which float32 evaluates to
 * only ~1e-4 relative (golden {@code arbooth-train-set1}, teacher (a): 1.1e-8 abs off; in double 1.4e-9);
 * {@link ArboothLosses#distillKlPerToken} is the same math on DJL in float32.
 */
final class DistillKl {
    /** The per-token KL (float32 copies), the loss and the gradient with respect to the student's logits. */
    record Result(float[] kl_BL, double loss, float[] grad_BLV) {}

    private DistillKl() {}

    /**
     * Evaluates the loss and its gradient.
     *
     * @param teacher_BLV the teacher's raw logits
     * @param student_BLV the student's logits, same shape
     * @param batch B
     * @param v V
     * @param temperature T
     * @param lambda the loss weight
     * @return the per-token KL, the loss and its gradient
     */
    static Result of(float[] teacher_BLV, float[] student_BLV, int batch, int v, double temperature, double lambda) {
        if (teacher_BLV.length != student_BLV.length || teacher_BLV.length % ((long) batch * v) != 0) {
            throw new IllegalArgumentException("teacher and student logits differ in size: " + teacher_BLV.length
                    + " vs " + student_BLV.length + " (B " + batch + ", V " + v + ")");
        }
        int tokens = teacher_BLV.length / v;
        int l = tokens / batch;
        float[] kl = new float[tokens];
        float[] grad = new float[teacher_BLV.length];
        double[] lp = new double[v];
        double[] lq = new double[v];
        double coef = lambda / (temperature * batch * l);
        double total = 0;
        for (int t = 0; t < tokens; t++) {
            int o = t * v;
            logSoftmax(teacher_BLV, o, v, temperature, lp);
            logSoftmax(student_BLV, o, v, temperature, lq);
            double s = 0;
            for (int j = 0; j < v; j++) {
                double p = Math.exp(lp[j]);
                s += p * (lp[j] - lq[j]);
                grad[o + j] = (float) (coef * (Math.exp(lq[j]) - p));
            }
            kl[t] = (float) s;
            total += s;
        }
        return new Result(kl, lambda * total / l / batch, grad);
    }

    private static void logSoftmax(float[] x, int o, int v, double temperature, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            max = Math.max(max, x[o + j] / temperature);
        }
        double z = 0;
        for (int j = 0; j < v; j++) {
            z += Math.exp(x[o + j] / temperature - max);
        }
        double log = Math.log(z) + max;
        for (int j = 0; j < v; j++) {
            out[j] = x[o + j] / temperature - log;
        }
    }
}
