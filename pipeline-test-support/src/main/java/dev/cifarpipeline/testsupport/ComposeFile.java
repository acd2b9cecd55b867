package dev.cifarpipeline.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The repository's {@code docker-compose.yml} as tests read it, and the environment-variable names of a
 * service's {@code @ConfigMapping} keys, so a test can check that every setting compose gives a service is one
 * of that service's keys (a typo in compose would otherwise be silently ignored).
 */
public final class ComposeFile {
    private final JsonNode root;

    private ComposeFile(JsonNode root) {
        this.root = root;
    }

    /** {@code docker-compose.yml} at the repository root (tests run in a module folder). */
    public static ComposeFile read() throws IOException {
        Path file = Path.of(System.getProperty("project.root", "..")).resolve("docker-compose.yml");
        return new ComposeFile(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
    }

    public JsonNode service(String name) {
        JsonNode s = root.path("services").path(name);
        if (s.isMissingNode()) {
            throw new IllegalArgumentException("docker-compose.yml has no service " + name);
        }
        return s;
    }

    public Map<String, String> environment(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        service(service)
                .path("environment")
                .fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /**
     * Every key of a {@code @ConfigMapping} interface under {@code prefix}, as the environment variable MicroProfile
     * Config maps to it ({@code trainer.claims.session-timeout} → {@code TRAINER_CLAIMS_SESSION_TIMEOUT}).
     */
    public static Set<String> environmentNames(Class<?> mapping, String prefix) {
        Set<String> out = new TreeSet<>();
        collect(mapping, prefix, out);
        return out;
    }

    /** Configuration keys as the environment variables MicroProfile Config maps to them. */
    public static Set<String> environmentNames(Collection<String> keys) {
        Set<String> out = new TreeSet<>();
        keys.forEach(key -> out.add(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
        return out;
    }

    private static void collect(Class<?> type, String prefix, Set<String> out) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0
                    || m.isDefault()
                    || Modifier.isStatic(m.getModifiers())
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String key = prefix + "."
                    + m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            if (m.getReturnType().isInterface() && m.getReturnType().getName().startsWith("dev.cifarpipeline")) {
                collect(m.getReturnType(), key, out);
            } else {
                out.add(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            }
        }
    }
}
