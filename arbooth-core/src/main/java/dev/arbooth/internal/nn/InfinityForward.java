package dev.arbooth.internal.nn;

import java.util.List;

/**
 * The teacher-forced forward of the Infinity transformer (README 4.2): the logits and the intermediate
 * activations the golden tensors check.
 *
 * @param logits_BLV the bitwise logits, {@code (B, L, V)}; logit {@code 2j + c} is bit {@code j} being {@code c}
 * @param blockIn_BLC the input of the first block (SOS and word embeddings plus the level embedding), {@code
 *     (B, L, C)}
 * @param blockOut_BLC the output of every block in state-dict order, each {@code (B, L, C)}
 * @param headNormOut_BLC the head's AdaLN output before the head Linear, {@code (B, L, C)}
 * @param <T> the engine's tensor handle
 */
public record InfinityForward<T>(T logits_BLV, T blockIn_BLC, List<T> blockOut_BLC, T headNormOut_BLC) {
    /**
     * Copies the list.
     *
     * @param logits_BLV the logits
     * @param blockIn_BLC the first block's input
     * @param blockOut_BLC the blocks' outputs
     * @param headNormOut_BLC the head AdaLN output
     */
    public InfinityForward {
        blockOut_BLC = List.copyOf(blockOut_BLC);
    }
}
