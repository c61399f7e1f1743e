package dev.outpost.helm;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Plain YAML as maps, for values files. */
final class Yaml {

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

    private Yaml() {
    }

    static Map<String, Object> read(Path file) {
        try {
            Map<String, Object> map = MAPPER.readValue(file.toFile(), new TypeReference<>() { });
            return map == null ? new LinkedHashMap<>() : map;
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    static String write(Map<String, Object> map) {
        try {
            return MAPPER.writeValueAsString(map);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's merge of a values file over the defaults: maps merge key by key, null removes the key, anything else replaces. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> result = new LinkedHashMap<>(base);
        over.forEach((key, value) -> {
            Object old = result.get(key);
            if (value == null) {
                result.remove(key);
            } else if (old instanceof Map && value instanceof Map) {
                result.put(key, deepMerge((Map<String, Object>) old, (Map<String, Object>) value));
            } else {
                result.put(key, value);
            }
        });
        return result;
    }
}
