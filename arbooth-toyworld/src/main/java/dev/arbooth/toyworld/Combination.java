package dev.arbooth.toyworld;

import dev.arbooth.toyworld.internal.SplitMix64;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A combination of class, colour, context and accessory: the unit of the held-out split. About one in ten
 * combinations is held out ({@link #heldOut()}), chosen by a stable hash of the four words, so the split
 * does not depend on the order of the vocabulary and never changes for existing words. Training draws
 * ({@link Split#TRAIN}) never render a held-out combination, whatever their caption names; every single
 * word and every pair of words still occurs in training.
 *
 * @param objectClass the class
 * @param colour the main colour
 * @param context the background
 * @param accessory the accessory ({@link Accessory#NONE} for classes that wear nothing)
 */
public record Combination(ObjectClass objectClass, Colour colour, Context context, Accessory accessory) {
    /** One combination in this many is held out (on average). */
    public static final int HELD_OUT_ONE_IN = 10;

    /**
     * Validates the combination.
     *
     * @param objectClass the class
     * @param colour the main colour
     * @param context the background
     * @param accessory the accessory
     * @throws IllegalArgumentException if the class cannot wear the accessory
     */
    public Combination {
        Objects.requireNonNull(objectClass, "objectClass");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(accessory, "accessory");
        if (accessory != Accessory.NONE && !objectClass.wearsAccessories()) {
            throw new IllegalArgumentException("A " + objectClass.word() + " cannot wear " + accessory.phrase());
        }
    }

    /**
     * Whether this combination is held out of training: {@code mix(fnv1a64(key)) mod 10 == 0}, where key
     * is {@code "class|colour|context|accessory"} in words ({@code "-"} for no accessory) and {@code mix} is
     * the SplitMix64 finaliser.
     *
     * @return true for about 10 % of combinations
     */
    public boolean heldOut() {
        String key = objectClass.word() + "|" + colour.word() + "|" + context.phrase() + "|"
                + (accessory == Accessory.NONE ? "-" : accessory.phrase());
        long h = 0xCBF29CE484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001B3L;
        }
        return Long.remainderUnsigned(SplitMix64.mix(h), HELD_OUT_ONE_IN) == 0;
    }

    /**
     * The caption that names the whole combination: "a red dog wearing a santa hat in the snow".
     *
     * @return the caption
     */
    public Caption caption() {
        return Caption.of(objectClass)
                .withColour(colour)
                .withAccessory(accessory)
                .withContext(context);
    }

    /**
     * Every valid combination, in vocabulary order (10 classes × 10 colours × 15 contexts × 7 accessories for
     * the 4 classes that wear them, 1 for the others).
     *
     * @return all combinations
     */
    public static List<Combination> all() {
        List<Combination> out = new ArrayList<>();
        for (ObjectClass c : ObjectClass.values()) {
            for (Colour col : Colour.values()) {
                for (Context ctx : Context.values()) {
                    for (Accessory a : Accessory.values()) {
                        if (a == Accessory.NONE || c.wearsAccessories()) {
                            out.add(new Combination(c, col, ctx, a));
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * The combinations of one side of the split.
     *
     * @param split which side
     * @return the combinations in vocabulary order
     */
    public static List<Combination> of(Split split) {
        List<Combination> out = new ArrayList<>();
        for (Combination c : all()) {
            if (split.admits(c)) {
                out.add(c);
            }
        }
        return out;
    }
}
