package dev.arbooth.train;

/** How the frozen teacher of prior distillation samples its class images. */
public enum TeacherKind {
    /**
     * The official KV-cached sampler (cfg 1): every scale attends to the previous ones, as the student's
     * teacher-forced pass does, so teacher and student see the same context.
     */
    KV_CACHED,
    /**
     * {@link #KV_CACHED}, sampled by ONNX Runtime instead of DJL: the same graphs and sampler as the {@code
     * Generator}, over a second copy of the base's original weights held by ONNX Runtime for the whole fit. Its
     * logits equal the DJL teacher's to float rounding (so, for a seed, the same bits but where a draw falls within
     * that rounding of a threshold); it samples several times faster ({@code docs/benchmarks.md}, "The teacher on
     * ONNX Runtime"), for the memory of that copy.
     */
    KV_CACHED_ONNX_RUNTIME,
    /**
     * ARBooth's teacher as coded ({@code autoregressive_cls_infer}): each scale without KV cache, RoPE rows from 0,
     * area-resized next-scale inputs. Its logits differ from an identical student's, so the distillation loss does
     * not vanish at the first step.
     */
    ARBOOTH_NO_CACHE
}
