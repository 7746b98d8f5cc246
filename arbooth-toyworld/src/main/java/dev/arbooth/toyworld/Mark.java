package dev.arbooth.toyworld;

/**
 * A distinctive mark in the secondary colour at a class-specific place. A {@linkplain Traits trait}: never
 * named by captions.
 */
public enum Mark {
    /** No mark. */
    NONE,
    /** A band where a collar goes: the neck of an animal or a vase, the rim of a teapot or bag. */
    COLLAR,
    /** A big spot at a class-specific place: an eye patch, an ear, a lid, a pocket, a bell, a window. */
    SPOT,
    /** The tip of an extremity: a tail, paws, a spout, a toe cap, a roof. */
    TIP
}
