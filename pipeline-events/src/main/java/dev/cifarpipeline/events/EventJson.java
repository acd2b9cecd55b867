package dev.cifarpipeline.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The JSON form of control and result events: one mapper configuration for every service. */
public final class EventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            // Newer producers may add fields; old consumers must still read the event.
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, true);

    private EventJson() {}

    public static byte[] write(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialise " + event.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        if (json == null) {
            throw new RecordFormatException(type.getSimpleName() + ": the record has no value (null payload)");
        }
        try {
            return present(MAPPER.readValue(json, type), type);
        } catch (IOException | IllegalArgumentException e) {
            throw new RecordFormatException(type.getSimpleName() + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    /** An empty payload or a JSON {@code null} reads as no event: refused like any record that is not one. */
    private static <T> T present(T event, Class<T> type) {
        if (event == null) {
            throw new RecordFormatException(type.getSimpleName() + ": the record holds no event (empty or null)");
        }
        return event;
    }

    /**
     * Reads an event whose later schema versions added {@code added} fields: records written before them lack those
     * fields and read as null there (every other missing field still fails, as in {@link #read}).
     */
    public static <T> T readAdding(byte[] json, Class<T> type, String... added) {
        if (json == null) {
            throw new RecordFormatException(type.getSimpleName() + ": the record has no value (null payload)");
        }
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (tree instanceof ObjectNode object) {
                for (String field : added) {
                    if (!object.has(field)) {
                        object.putNull(field);
                    }
                }
            }
            if (!(tree instanceof ObjectNode)) {
                throw new RecordFormatException(type.getSimpleName() + ": the record is not a JSON object");
            }
            return present(MAPPER.treeToValue(tree, type), type);
        } catch (IOException | IllegalArgumentException e) {
            throw new RecordFormatException(type.getSimpleName() + ": invalid JSON: " + e.getMessage(), e);
        }
    }
}
