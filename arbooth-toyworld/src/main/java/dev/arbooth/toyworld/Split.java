package dev.arbooth.toyworld;

/** Which {@linkplain Combination combinations} a random draw may show. */
public enum Split {
    /** Any combination. */
    ALL,
    /** Only combinations that are not {@linkplain Combination#heldOut() held out}: for training. */
    TRAIN,
    /** Only held-out combinations: for measuring generalisation to unseen caption combinations. */
    HELD_OUT;

    /**
     * Whether a combination belongs to this side.
     *
     * @param c the combination
     * @return true if a draw of this split may show it
     */
    public boolean admits(Combination c) {
        switch (this) {
            case TRAIN:
                return !c.heldOut();
            case HELD_OUT:
                return c.heldOut();
            default:
                return true;
        }
    }
}
