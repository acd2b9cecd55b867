package dev.cifarpipeline.events.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiAccessTest {
    @TempDir
    Path dir;

    private static ApiAccess from(Map<String, String> settings) {
        return ApiAccess.from(key -> Optional.ofNullable(settings.get(key)));
    }

    @Test
    void withNothingConfiguredNobodyMayChangeState() {
        ApiAccess access = from(Map.of());
        assertFalse(access.allows(null));
        assertFalse(access.allows("Bearer "));
        assertFalse(access.allows("Bearer anything"));
        assertTrue(access.refusal("submitting a run").contains("PIPELINE_API_TOKEN"), access.refusal("x"));
        assertFalse(from(Map.of(ApiAccess.TOKEN_KEY, "  ")).allows("Bearer   "), "a blank token is no token");
    }

    @Test
    void openOnlyWhenExplicitlyConfigured() {
        assertTrue(from(Map.of(ApiAccess.OPEN_KEY, "true")).allows(null));
        assertFalse(from(Map.of(ApiAccess.OPEN_KEY, "false")).allows(null));
        assertFalse(from(Map.of(ApiAccess.OPEN_KEY, "yes")).allows(null), "only 'true' opens it");
        ApiAccess both = from(Map.of(ApiAccess.OPEN_KEY, "true", ApiAccess.TOKEN_KEY, "t0ken"));
        assertFalse(both.allows(null), "a configured token wins over open");
        assertTrue(both.allows("Bearer t0ken"));
    }

    @Test
    void withATokenOnlyTheRightBearerMayChangeState() {
        ApiAccess token = from(Map.of(ApiAccess.TOKEN_KEY, "s3cret-token"));
        assertTrue(token.tokenRequired());
        assertTrue(token.allows("Bearer s3cret-token"));
        assertFalse(token.allows(null));
        assertFalse(token.allows("s3cret-token"), "the scheme is required");
        assertFalse(token.allows("Bearer s3cret-toke"));
        assertFalse(token.allows("Bearer s3cret-token2"));
        assertFalse(token.allows("Basic czNjcmV0LXRva2Vu"));
    }

    @Test
    void aTokenFileIsReadAndAMissingOrEmptyOneIsAnError() throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "from-a-file\n");
        assertTrue(from(Map.of(ApiAccess.TOKEN_FILE_KEY, file.toString())).allows("Bearer from-a-file"));
        assertThrows(
                UncheckedIOException.class,
                () -> from(
                        Map.of(ApiAccess.TOKEN_FILE_KEY, dir.resolve("absent").toString())));
        Files.writeString(file, " \n");
        IllegalArgumentException empty = assertThrows(
                IllegalArgumentException.class, () -> from(Map.of(ApiAccess.TOKEN_FILE_KEY, file.toString())));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        Files.write(file, new byte[ApiAccess.MAX_TOKEN_BYTES + 1]);
        assertThrows(IllegalArgumentException.class, () -> from(Map.of(ApiAccess.TOKEN_FILE_KEY, file.toString())));
    }

    @Test
    void generatedTokensAreLongAndDifferent() {
        String a = ApiAccess.generateToken();
        assertEquals(64, a.length());
        assertNotEquals(a, ApiAccess.generateToken());
        assertTrue(ApiAccess.token(a).allows("Bearer " + a));
    }
}
