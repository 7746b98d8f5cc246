package dev.arbooth.train;

/** How the frozen teacher of prior distillation samples its class images. */
public enum TeacherKind {
    /**
     * The official KV-cached sampler (cfg 1): every scale attends to the previous ones, as the student's
     * teacher-forced pass does, so teacher and student see the same context.
     */
    KV_CACHED,
    /**
     * ARBooth's teacher as coded ({@code autoregressive_cls_infer}): each scale without KV cache, RoPE rows from 0,
     * area-resized next-scale inputs. Its logits differ from an identical student's, so the distillation loss does
     * not vanish at the first step.
     */
    ARBOOTH_NO_CACHE
}
