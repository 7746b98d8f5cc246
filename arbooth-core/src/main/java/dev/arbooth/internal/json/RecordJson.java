package dev.arbooth.internal.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON form of a configuration record, declared once: one field per record component, in component order,
 * under the component's name or a given key. Writing and strict reading ({@link StrictJson}) both follow from
 * the record's components, so a field list is never repeated by hand. Supported component types: {@code int},
 * {@code double}, {@code boolean}, {@code String} and {@code List<Integer>}.
 *
 * @param <R> the record type
 */
public final class RecordJson<R extends Record> {
    private final Class<R> type;
    private final RecordComponent[] components;
    private final List<String> keys;
    private final Constructor<R> constructor;

    private RecordJson(Class<R> type, Map<String, String> renames) {
        this.type = type;
        this.components = type.getRecordComponents();
        List<String> k = new ArrayList<>();
        Class<?>[] params = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            k.add(renames.getOrDefault(c.getName(), c.getName()));
            params[i] = c.getType();
            requireSupported(c);
        }
        this.keys = List.copyOf(k);
        if (new LinkedHashSet<>(keys).size() != keys.size()) {
            throw new IllegalArgumentException("duplicate JSON keys for " + type.getSimpleName() + ": " + keys);
        }
        try {
            this.constructor = type.getDeclaredConstructor(params);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type + " has no canonical constructor", e);
        }
    }

    /**
     * The JSON form of a record whose keys are its component names.
     *
     * @param type the record class
     * @param <R> the record type
     * @return the codec
     */
    public static <R extends Record> RecordJson<R> of(Class<R> type) {
        return new RecordJson<>(type, Map.of());
    }

    /**
     * The JSON form of a record with some components under other keys.
     *
     * @param type the record class
     * @param renames component name to JSON key
     * @param <R> the record type
     * @return the codec
     */
    public static <R extends Record> RecordJson<R> of(Class<R> type, Map<String, String> renames) {
        return new RecordJson<>(type, renames);
    }

    private static void requireSupported(RecordComponent c) {
        Class<?> t = c.getType();
        if (t == int.class || t == double.class || t == boolean.class || t == String.class) {
            return;
        }
        Type g = c.getGenericType();
        if (t == List.class && g instanceof ParameterizedType p && p.getActualTypeArguments()[0] == Integer.class) {
            return;
        }
        throw new IllegalArgumentException("unsupported component type " + g + " of " + c);
    }

    /**
     * The JSON keys, in component order.
     *
     * @return the keys
     */
    public List<String> keys() {
        return keys;
    }

    /**
     * The JSON object of a value, fields in component order.
     *
     * @param value the record
     * @return a new object
     */
    public JsonObject write(R value) {
        Objects.requireNonNull(value, "value");
        JsonObject o = new JsonObject();
        for (int i = 0; i < components.length; i++) {
            Object v = get(components[i], value);
            String key = keys.get(i);
            if (v instanceof Number n) {
                o.addProperty(key, n);
            } else if (v instanceof Boolean b) {
                o.addProperty(key, b);
            } else if (v instanceof String s) {
                o.addProperty(key, s);
            } else {
                JsonArray a = new JsonArray();
                for (Object e : (List<?>) v) {
                    a.add((Integer) e);
                }
                o.add(key, a);
            }
        }
        return o;
    }

    /**
     * Reads a value strictly: exactly the record's keys, each of its component's JSON type, then the record's
     * own validation.
     *
     * @param json the object
     * @return the record
     * @throws dev.arbooth.FormatException naming the file, the field and what was expected
     */
    public R read(StrictJson json) {
        json.requireExactly(new LinkedHashSet<>(keys));
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            Class<?> t = components[i].getType();
            String key = keys.get(i);
            if (t == int.class) {
                args[i] = json.integer(key);
            } else if (t == double.class) {
                args[i] = json.number(key);
            } else if (t == boolean.class) {
                args[i] = json.bool(key);
            } else if (t == String.class) {
                args[i] = json.string(key);
            } else {
                args[i] = json.integers(key);
            }
        }
        return json.build(type.getSimpleName(), () -> construct(args));
    }

    private R construct(Object[] args) {
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw withKey(r);
            }
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type, e);
        }
    }

    /** Names the JSON key of the component a validation message starts with, when the key differs. */
    private RuntimeException withKey(RuntimeException e) {
        if (!(e instanceof IllegalArgumentException) || e.getMessage() == null) {
            return e;
        }
        Map<String, String> renamed = new LinkedHashMap<>();
        for (int i = 0; i < components.length; i++) {
            if (!components[i].getName().equals(keys.get(i))) {
                renamed.put(components[i].getName(), keys.get(i));
            }
        }
        for (Map.Entry<String, String> r : renamed.entrySet()) {
            if (e.getMessage().startsWith(r.getKey() + " ")) {
                return new IllegalArgumentException(e.getMessage() + " (JSON key '" + r.getValue() + "')", e);
            }
        }
        return e;
    }

    private static Object get(RecordComponent c, Object value) {
        try {
            return c.getAccessor().invoke(value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }
}
