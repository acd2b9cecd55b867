package dev.cifarpipeline.trainer.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The bearer token that state-changing endpoints require when one is configured ({@code trainer.api-token}):
 * {@code Authorization: Bearer <token>}. Compared in constant time, so response timing says nothing about how
 * much of a guess was right. With no token configured every caller is allowed, as on a laptop.
 */
public final class ApiToken {
    private final Optional<byte[]> expected;

    public ApiToken(Optional<String> configured) {
        this.expected = configured.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    public boolean required() {
        return expected.isPresent();
    }

    /** Whether a request with this {@code Authorization} header value (null when absent) may change state. */
    public boolean allows(String authorization) {
        if (expected.isEmpty()) {
            return true;
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected.get(), given);
    }
}
