package dev.cifarpipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nothing in the services' code reads or writes Java serialization: every record is one of our binary formats
 * or JSON, so no bytes from the wire ever reach {@code ObjectInputStream} (the classic deserialization hole).
 */
class NoJavaSerializationTest {
    private static final Path ROOT =
            Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\bObjectInputStream\\b|\\bObjectOutputStream\\b|\\bimplements\\s+[\\w.,\\s]*\\bSerializable\\b|\\breadObject\\s*\\(|\\bSerializationUtils\\b");

    @Test
    void noMainSourceUsesJavaSerialization() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(ROOT)) {
            for (Path p : paths.filter(p -> p.toString().endsWith(".java")
                            && p.toString().contains("/src/main/java/")
                            && !p.toString().contains("/target/")
                            && !p.toString().contains("/node_modules/"))
                    .toList()) {
                files++;
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    if (FORBIDDEN.matcher(lines.get(i)).find()) {
                        found.add(ROOT.relativize(p) + ":" + (i + 1) + ": "
                                + lines.get(i).trim());
                    }
                }
            }
        }
        assertTrue(files > 100, "the scan saw the sources (" + files + " files under " + ROOT + ")");
        assertTrue(found.isEmpty(), "Java serialization in main code:\n" + String.join("\n", found));
    }
}
