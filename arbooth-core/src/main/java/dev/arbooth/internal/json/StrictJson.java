package dev.arbooth.internal.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.arbooth.FormatException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The one strict reader of the library's JSON (configurations, base descriptors, adapter manifests, Hugging
 * Face {@code config.json}): a view on one JSON object that knows which file it came from and where in it it
 * is. Every problem, a malformed document, a missing or unknown field, a {@code null}, a value of the wrong JSON
 * type, a fraction where an integer is required, or a value a record refuses ({@link #build}), is a {@link
 * FormatException} whose message names the file, the field (with its path, e.g. {@code 'vae.patchSize'}) and
 * what was expected. Nothing of Gson's own exceptions escapes.
 */
public final class StrictJson {
    private final Path file;
    private final String what;
    private final String path;
    private final JsonObject o;

    private StrictJson(Path file, String what, String path, JsonObject o) {
        this.file = file;
        this.what = what;
        this.path = path;
        this.o = o;
    }

    /**
     * Parses a document that must be one JSON object.
     *
     * @param file the file the text came from, for messages, or {@code null}
     * @param what what the document is, for messages (e.g. {@code "adapter manifest"})
     * @param text the JSON text
     * @return the reader
     * @throws FormatException if the text is not JSON or not an object
     */
    public static StrictJson parseDocument(Path file, String what, String text) {
        JsonElement e = parse(file, what, text);
        if (!e.isJsonObject()) {
            throw new FormatException(file, what + " must be a JSON object, got " + abbreviate(e));
        }
        return new StrictJson(file, what, "", e.getAsJsonObject());
    }

    /**
     * Parses a value that must be an object (e.g. a configuration given as JSON text).
     *
     * @param file the file, or {@code null}
     * @param what what the value is (e.g. {@code "InfinityConfig JSON"})
     * @param text the JSON text
     * @return the reader
     * @throws FormatException if the text is not JSON or not an object
     */
    public static StrictJson parseObject(Path file, String what, String text) {
        JsonElement e = parse(file, what, text);
        if (!e.isJsonObject()) {
            throw new FormatException(file, what + " must be an object, got " + abbreviate(e));
        }
        return new StrictJson(file, what, "", e.getAsJsonObject());
    }

    private static JsonElement parse(Path file, String what, String text) {
        try {
            return JsonParser.parseString(text);
        } catch (JsonParseException | IllegalStateException e) {
            throw new FormatException(file, what + " is malformed JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The file, for callers' own messages.
     *
     * @return the file or {@code null}
     */
    public Path file() {
        return file;
    }

    /**
     * The keys present.
     *
     * @return the keys, sorted
     */
    public Set<String> keys() {
        return Collections.unmodifiableSet(new TreeSet<>(o.keySet()));
    }

    /**
     * Whether a field is present (with any value, {@code null} included).
     *
     * @param key the field
     * @return whether the object has it
     */
    public boolean has(String key) {
        return o.has(key);
    }

    /**
     * Requires exactly these fields.
     *
     * @param fields every allowed and required key
     * @return this
     * @throws FormatException naming every missing and every unknown field
     */
    public StrictJson requireExactly(Set<String> fields) {
        Set<String> missing = new TreeSet<>(fields);
        missing.removeAll(o.keySet());
        Set<String> unknown = new TreeSet<>(o.keySet());
        unknown.removeAll(fields);
        if (!missing.isEmpty() && !unknown.isEmpty()) {
            throw error("missing fields " + qualified(missing) + ", unknown fields " + qualified(unknown)
                    + " (a misspelt field?); expected " + qualified(new TreeSet<>(fields)));
        }
        if (!unknown.isEmpty()) {
            throw error(
                    "has unknown field(s) " + qualified(unknown) + "; allowed: " + qualified(new TreeSet<>(fields)));
        }
        if (!missing.isEmpty()) {
            throw error("lacks field(s) " + qualified(missing));
        }
        return this;
    }

    /**
     * A required integer field (a JSON number with no fractional part, in the {@code int} range).
     *
     * @param key the field
     * @return the value
     * @throws FormatException if it is missing, {@code null}, not a number or not an exact {@code int}
     */
    public int integer(String key) {
        JsonPrimitive p = primitive(key, "an integer");
        if (p.isNumber()) {
            try {
                return new BigDecimal(p.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                // reported below
            }
        }
        throw wrongType(key, "an integer", p);
    }

    /**
     * A required finite number field.
     *
     * @param key the field
     * @return the value
     * @throws FormatException if it is missing, {@code null} or not a finite number
     */
    public double number(String key) {
        JsonPrimitive p = primitive(key, "a number");
        if (p.isNumber()) {
            double d = p.getAsDouble();
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw wrongType(key, "a number", p);
    }

    /**
     * A required boolean field.
     *
     * @param key the field
     * @return the value
     * @throws FormatException if it is missing, {@code null} or not {@code true}/{@code false}
     */
    public boolean bool(String key) {
        JsonPrimitive p = primitive(key, "true or false");
        if (!p.isBoolean()) {
            throw wrongType(key, "true or false", p);
        }
        return p.getAsBoolean();
    }

    /**
     * A required string field.
     *
     * @param key the field
     * @return the value
     * @throws FormatException if it is missing, {@code null} or not a string
     */
    public String string(String key) {
        JsonPrimitive p = primitive(key, "a string");
        if (!p.isString()) {
            throw wrongType(key, "a string", p);
        }
        return p.getAsString();
    }

    /**
     * An optional string field.
     *
     * @param key the field
     * @param fallback the value when the field is missing or {@code null}
     * @return the value
     * @throws FormatException if it is present and not a string
     */
    public String string(String key, String fallback) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        return string(key);
    }

    /**
     * A required object field.
     *
     * @param key the field
     * @return a reader on it, its path extended by the key
     * @throws FormatException if it is missing, {@code null} or not an object
     */
    public StrictJson object(String key) {
        JsonElement e = require(key, "an object");
        if (!e.isJsonObject()) {
            throw wrongType(key, "an object", e);
        }
        return new StrictJson(file, what, path + key + ".", e.getAsJsonObject());
    }

    /**
     * A required array of integers.
     *
     * @param key the field
     * @return the values
     * @throws FormatException if it is missing, {@code null}, not an array, or an element is not an integer
     */
    public List<Integer> integers(String key) {
        JsonArray a = array(key, "an array of integers");
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(element(key, i, a.get(i)));
        }
        return out;
    }

    /**
     * A required array of integer arrays (e.g. a scale schedule {@code [[h, w], ...]}).
     *
     * @param key the field
     * @param width the length every inner array must have
     * @return the values
     * @throws FormatException if the field is not such an array
     */
    public List<int[]> integerRows(String key, int width) {
        JsonArray a = array(key, "an array of [" + width + " integers] arrays");
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonElement row = a.get(i);
            if (!row.isJsonArray() || row.getAsJsonArray().size() != width) {
                throw error("field '" + path + key + "' element " + i + " must be an array of " + width
                        + " integers, got " + abbreviate(row));
            }
            int[] r = new int[width];
            for (int j = 0; j < width; j++) {
                r[j] = element(key + "[" + i + "]", j, row.getAsJsonArray().get(j));
            }
            out.add(r);
        }
        return out;
    }

    /**
     * A required object of strings (free-form string entries).
     *
     * @param key the field
     * @return the entries, in document order
     * @throws FormatException if the field is not an object or an entry is not a string
     */
    public Map<String, String> strings(String key) {
        StrictJson inner = object(key);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : inner.o.entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw error(key + " '" + e.getKey() + "' must be a string, got " + abbreviate(v));
            }
            out.put(e.getKey(), v.getAsString());
        }
        return out;
    }

    /**
     * A required array of objects.
     *
     * @param key the field
     * @return a reader on each element, its path {@code key[i].}
     * @throws FormatException if the field is missing, not an array, or an element is not an object
     */
    public List<StrictJson> objects(String key) {
        JsonArray a = array(key, "an array of objects");
        List<StrictJson> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonObject()) {
                throw error("field '" + path + key + "' element " + i + " must be an object, got " + abbreviate(e));
            }
            out.add(new StrictJson(file, what, path + key + "[" + i + "].", e.getAsJsonObject()));
        }
        return out;
    }

    /**
     * Whether a field is present with the value {@code null}.
     *
     * @param key the field
     * @return true for an explicit {@code null}
     */
    public boolean isNull(String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonNull();
    }

    /**
     * A required object field as JSON text (for a value with its own parser, e.g. {@code InfinityConfig.fromJson}).
     *
     * @param key the field
     * @return the object's compact JSON
     * @throws FormatException if it is missing, {@code null} or not an object
     */
    public String objectText(String key) {
        JsonElement e = require(key, "an object");
        if (!e.isJsonObject()) {
            throw wrongType(key, "an object", e);
        }
        return e.toString();
    }

    /**
     * The raw value of a field, for a nested reader ({@link RecordJson}).
     *
     * @param key the field
     * @return the element, or {@code null} when missing
     */
    JsonElement raw(String key) {
        return o.get(key);
    }

    /**
     * Builds a value from fields already read, turning a rule the value's constructor enforces into a {@link
     * FormatException} about this object.
     *
     * @param type what is built, for the message (e.g. {@code "VaeConfig"})
     * @param build the construction
     * @param <R> the value type
     * @return the value
     * @throws FormatException naming the file, this object's field path and the broken rule
     */
    public <R> R build(String type, Supplier<R> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            String where = path.isEmpty() ? "" : "field '" + path.substring(0, path.length() - 1) + "' ";
            throw error(where + "is not a valid " + type + ": " + e.getMessage(), e);
        }
    }

    /**
     * An error about this object.
     *
     * @param message what is wrong and what was expected
     * @return the exception, prefixed with the file and what the document is
     */
    public FormatException error(String message) {
        return new FormatException(file, what + " " + message);
    }

    private FormatException error(String message, Throwable cause) {
        return new FormatException(file, what + " " + message, cause);
    }

    private JsonElement require(String key, String expected) {
        JsonElement e = o.get(key);
        if (e == null) {
            throw error("lacks field(s) [" + path + key + "] (" + expected + ")");
        }
        if (e.isJsonNull()) {
            throw error("field '" + path + key + "' must be " + expected + ", got null");
        }
        return e;
    }

    private JsonPrimitive primitive(String key, String expected) {
        JsonElement e = require(key, expected);
        if (!e.isJsonPrimitive()) {
            throw wrongType(key, expected, e);
        }
        return e.getAsJsonPrimitive();
    }

    private JsonArray array(String key, String expected) {
        JsonElement e = require(key, expected);
        if (!e.isJsonArray()) {
            throw wrongType(key, expected, e);
        }
        return e.getAsJsonArray();
    }

    private int element(String key, int i, JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                return new BigDecimal(e.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException ex) {
                // reported below
            }
        }
        throw error("field '" + path + key + "' element " + i + " must be an integer, got " + abbreviate(e));
    }

    private FormatException wrongType(String key, String expected, JsonElement got) {
        return error("field '" + path + key + "' must be " + expected + ", got " + abbreviate(got));
    }

    private String qualified(Set<String> keys) {
        if (path.isEmpty()) {
            return keys.toString();
        }
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            out.add(path + k);
        }
        return out.toString();
    }

    private static String abbreviate(JsonElement e) {
        String s = String.valueOf(e);
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
