package dev.arbooth.toyworld;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A caption in the grammar of the ViCo prompts, and what it asks for. Printed and parsed as
 *
 * <pre>
 * caption    = ["a photo of "] article " " [property " "] [colour " "] [identifier " "] class
 *              [" wearing " accessory] [" " context]
 * article    = "a" | "an"            (printed as "an" before a vowel)
 * property   = "shiny" | "wet"
 * colour     = "red" | "orange" | … (see {@link Colour})
 * class      = "dog" | "cat" | "teddybear" | "duck toy" | … (see {@link ObjectClass})
 * accessory  = "a red hat" | "a santa hat" | … (see {@link Accessory})
 * context    = "in the snow" | "on the beach" | … (see {@link Context})
 * </pre>
 *
 * <p>e.g. "a photo of a purple dog on the beach", "a cat wearing a santa hat", "a teapot with a mountain in
 * the background", "a wet red sks duck toy" (identifier "sks"). A colour or context left out means "any";
 * a property or accessory left out means none. Patterns, builds and marks ({@link Traits}) are never named.
 *
 * @param objectClass the class named
 * @param colour the colour named, if any
 * @param property the property named, or {@link Property#NONE}
 * @param accessory the accessory named, or {@link Accessory#NONE}
 * @param context the context named, if any
 * @param photoOf whether the caption starts with "a photo of"
 */
public record Caption(
        ObjectClass objectClass,
        Optional<Colour> colour,
        Property property,
        Accessory accessory,
        Optional<Context> context,
        boolean photoOf) {

    private static final String PHOTO_OF = "a photo of ";
    private static final String WEARING = "wearing ";

    /**
     * Validates the components.
     *
     * @param objectClass the class named
     * @param colour the colour named, if any
     * @param property the property named, or NONE
     * @param accessory the accessory named, or NONE
     * @param context the context named, if any
     * @param photoOf whether the caption starts with "a photo of"
     * @throws IllegalArgumentException if an accessory is given to a class that wears none
     */
    public Caption {
        Objects.requireNonNull(objectClass, "objectClass");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(accessory, "accessory");
        Objects.requireNonNull(context, "context");
        if (accessory != Accessory.NONE && !objectClass.wearsAccessories()) {
            throw new IllegalArgumentException("A " + objectClass.word() + " cannot wear " + accessory.phrase()
                    + ": only " + wearers() + " wear accessories");
        }
    }

    /**
     * The bare caption of a class: "a dog".
     *
     * @param objectClass the class
     * @return a caption naming only the class
     */
    public static Caption of(ObjectClass objectClass) {
        return new Caption(objectClass, Optional.empty(), Property.NONE, Accessory.NONE, Optional.empty(), false);
    }

    /**
     * This caption with a colour named.
     *
     * @param c the colour, or {@code null} to name none
     * @return the new caption
     */
    public Caption withColour(Colour c) {
        return new Caption(objectClass, Optional.ofNullable(c), property, accessory, context, photoOf);
    }

    /**
     * This caption with a property named.
     *
     * @param p the property ({@link Property#NONE} to name none)
     * @return the new caption
     */
    public Caption withProperty(Property p) {
        return new Caption(objectClass, colour, p, accessory, context, photoOf);
    }

    /**
     * This caption with an accessory named.
     *
     * @param a the accessory ({@link Accessory#NONE} to name none)
     * @return the new caption
     * @throws IllegalArgumentException if the class wears no accessories
     */
    public Caption withAccessory(Accessory a) {
        return new Caption(objectClass, colour, property, a, context, photoOf);
    }

    /**
     * This caption with a context named.
     *
     * @param c the context, or {@code null} to name none
     * @return the new caption
     */
    public Caption withContext(Context c) {
        return new Caption(objectClass, colour, property, accessory, Optional.ofNullable(c), photoOf);
    }

    /**
     * This caption with or without the "a photo of" prefix.
     *
     * @param p whether to start with "a photo of"
     * @return the new caption
     */
    public Caption withPhotoOf(boolean p) {
        return new Caption(objectClass, colour, property, accessory, context, p);
    }

    /**
     * The caption's text.
     *
     * @return e.g. "a photo of a purple dog on the beach"
     */
    public String text() {
        return text(null);
    }

    /**
     * The caption's text with an identifier just before the class word, as ViCo's {@code "{}"} is replaced
     * by "identifier class".
     *
     * @param identifier the identifier, e.g. "sks", or {@code null} for none
     * @return e.g. "a purple sks dog on the beach"
     */
    public String text(String identifier) {
        List<String> words = new ArrayList<>();
        if (property != Property.NONE) {
            words.add(property.word());
        }
        colour.ifPresent(c -> words.add(c.word()));
        if (identifier != null) {
            words.add(identifier);
        }
        words.add(objectClass.word());
        String head = String.join(" ", words);
        StringBuilder sb = new StringBuilder();
        if (photoOf) {
            sb.append(PHOTO_OF);
        }
        sb.append("aeiou".indexOf(head.charAt(0)) >= 0 ? "an " : "a ").append(head);
        if (accessory != Accessory.NONE) {
            sb.append(" wearing ").append(accessory.phrase());
        }
        context.ifPresent(c -> sb.append(' ').append(c.phrase()));
        return sb.toString();
    }

    @Override
    public String toString() {
        return text();
    }

    /**
     * Parses a caption without an identifier.
     *
     * @param text the caption, case-insensitive, words separated by single or multiple spaces
     * @return what it asks for
     * @throws UnknownWordException naming the first word or phrase outside the vocabulary or grammar
     */
    public static Caption parse(String text) {
        return parse(text, null);
    }

    /**
     * Parses a caption that may carry an identifier just before the class word.
     *
     * @param text the caption, case-insensitive, e.g. "a photo of sks dog in the snow"
     * @param identifier the identifier, or {@code null} if none is expected
     * @return what it asks for (the identifier is not part of the result)
     * @throws UnknownWordException naming the first word or phrase outside the vocabulary or grammar
     * @throws IllegalArgumentException if it asks an accessory of a class that wears none
     */
    public static Caption parse(String text, String identifier) {
        Objects.requireNonNull(text, "text");
        String original = text;
        String s = text.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        String id = identifier == null ? null : identifier.trim().toLowerCase(Locale.ROOT);
        boolean photoOf = false;
        if (s.startsWith(PHOTO_OF)) {
            photoOf = true;
            s = s.substring(PHOTO_OF.length());
        }
        List<String> tokens = new ArrayList<>(List.of(s.isEmpty() ? new String[0] : s.split(" ")));
        int pos = 0;
        // "a photo of sks dog": ARBooth's own training prompt has no article after "of"
        if (pos < tokens.size()
                && (tokens.get(pos).equals("a") || tokens.get(pos).equals("an"))) {
            pos++;
        } else if (!photoOf) {
            throw new UnknownWordException(
                    pos < tokens.size() ? tokens.get(pos) : "", "article", original, List.of("a", "an", "a photo of"));
        }
        Property property = Property.NONE;
        Colour colour = null;
        if (pos < tokens.size() && Property.words().contains(tokens.get(pos))) {
            property = Property.fromWord(tokens.get(pos++));
        }
        if (pos < tokens.size() && Colour.words().contains(tokens.get(pos))) {
            colour = Colour.fromWord(tokens.get(pos++));
        }
        if (id != null && pos < tokens.size() && tokens.get(pos).equals(id)) {
            pos++;
        }
        ObjectClass cls = null;
        if (pos + 1 < tokens.size()) {
            cls = classOf(tokens.get(pos) + " " + tokens.get(pos + 1));
            if (cls != null) {
                pos += 2;
            }
        }
        if (cls == null && pos < tokens.size()) {
            cls = classOf(tokens.get(pos));
            if (cls != null) {
                pos++;
            }
        }
        if (cls == null) {
            String word = pos < tokens.size() ? tokens.get(pos) : "";
            boolean classFollows = pos + 1 < tokens.size()
                    && (classOf(tokens.get(pos + 1)) != null
                            || (pos + 2 < tokens.size()
                                    && classOf(tokens.get(pos + 1) + " " + tokens.get(pos + 2)) != null));
            if (classFollows && colour == null) {
                throw new UnknownWordException(word, "colour", original, Colour.words());
            }
            if (classFollows) {
                throw new UnknownWordException(
                        word, "word before the class", original, id == null ? List.of() : List.of(id));
            }
            throw new UnknownWordException(word, "class", original, ObjectClass.words());
        }
        String rest = String.join(" ", tokens.subList(pos, tokens.size()));
        Accessory accessory = Accessory.NONE;
        if (rest.startsWith(WEARING)) {
            String after = rest.substring(WEARING.length());
            for (Accessory a : Accessory.values()) {
                if (a != Accessory.NONE
                        && (after.equals(a.phrase()) || after.startsWith(a.phrase() + " "))
                        && (accessory == Accessory.NONE
                                || a.phrase().length() > accessory.phrase().length())) {
                    accessory = a;
                }
            }
            if (accessory == Accessory.NONE) {
                throw new UnknownWordException(after, "accessory", original, Accessory.phrases());
            }
            rest = after.substring(accessory.phrase().length()).trim();
        }
        Context context = null;
        if (!rest.isEmpty()) {
            for (Context c : Context.values()) {
                if (c.phrase().equals(rest)) {
                    context = c;
                }
            }
            if (context == null) {
                throw new UnknownWordException(rest, "context", original, Context.phrases());
            }
        }
        return new Caption(
                cls, Optional.ofNullable(colour), property, accessory, Optional.ofNullable(context), photoOf);
    }

    private static ObjectClass classOf(String word) {
        for (ObjectClass c : ObjectClass.values()) {
            if (c.word().equals(word)) {
                return c;
            }
        }
        return null;
    }

    private static List<String> wearers() {
        List<String> out = new ArrayList<>();
        for (ObjectClass c : ObjectClass.values()) {
            if (c.wearsAccessories()) {
                out.add(c.word());
            }
        }
        return out;
    }
}
