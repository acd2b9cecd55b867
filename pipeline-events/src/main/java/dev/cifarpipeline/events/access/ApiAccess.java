package dev.cifarpipeline.events.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who may call the state-changing endpoints ({@code POST /trainer/runs}, stop, {@code POST /evaluator/score}): the
 * holder of the pipeline's bearer token, {@code Authorization: Bearer <token>}, compared in constant time so that
 * response timing says nothing about how much of a guess was right. Secure by default: with no token configured
 * these endpoints refuse everyone, unless {@code pipeline.api.open=true} says the network is trusted. Reading
 * endpoints (status, results, metrics, the best model) stay open either way.
 *
 * <p>Configured by {@code pipeline.api.token} (e.g. {@code PIPELINE_API_TOKEN} from a Secret), or
 * {@code pipeline.api.token-file} (a file holding it, as the compose stack's generated token), and
 * {@code pipeline.api.open}; one set of keys for every service, so one token works everywhere.
 */
public final class ApiAccess {
    public static final String TOKEN_KEY = "pipeline.api.token";
    public static final String TOKEN_FILE_KEY = "pipeline.api.token-file";
    public static final String OPEN_KEY = "pipeline.api.open";
    /** Every configuration key of API access. */
    public static final List<String> KEYS = List.of(TOKEN_KEY, TOKEN_FILE_KEY, OPEN_KEY);
    /** Tokens longer than this are refused when configured: a file of the wrong kind, not a token. */
    public static final int MAX_TOKEN_BYTES = 4096;

    private static final String BEARER = "Bearer ";

    private final Optional<byte[]> expected;
    private final boolean open;

    private ApiAccess(Optional<byte[]> expected, boolean open) {
        this.expected = expected;
        this.open = open;
    }

    /** Access that needs this token. */
    public static ApiAccess token(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("an API token must not be blank");
        }
        byte[] bytes = token.trim().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_TOKEN_BYTES) {
            throw new IllegalArgumentException("an API token must be at most " + MAX_TOKEN_BYTES + " bytes");
        }
        return new ApiAccess(Optional.of(bytes), false);
    }

    /** Access for anyone: only on a network where every caller is trusted. */
    public static ApiAccess open() {
        return new ApiAccess(Optional.empty(), true);
    }

    /** No token and not open: every state-changing request is refused, saying how to configure one. */
    public static ApiAccess closed() {
        return new ApiAccess(Optional.empty(), false);
    }

    /**
     * From configuration: the token ({@value #TOKEN_KEY}) or, when that is unset or blank, the token file
     * ({@value #TOKEN_FILE_KEY}); a configured token wins over {@value #OPEN_KEY}. A token file that is configured but
     * unreadable or empty is an error, not an open door.
     */
    public static ApiAccess from(Function<String, Optional<String>> settings) {
        Optional<String> token = configuredToken(settings);
        if (token.isPresent()) {
            return token(token.get());
        }
        boolean open = settings.apply(OPEN_KEY)
                .map(String::trim)
                .map(Boolean::parseBoolean)
                .orElse(false);
        return open ? open() : closed();
    }

    /** The token these settings configure, directly or in a file; what a client sends. */
    public static Optional<String> configuredToken(Function<String, Optional<String>> settings) {
        Optional<String> token = settings.apply(TOKEN_KEY).filter(t -> !t.isBlank());
        if (token.isPresent()) {
            return token.map(String::trim);
        }
        return settings.apply(TOKEN_FILE_KEY).filter(f -> !f.isBlank()).map(f -> readTokenFile(Path.of(f)));
    }

    /**
     * Settings from environment variables named as MicroProfile Config maps a key ({@code pipeline.api.token-file}
     * is {@code PIPELINE_API_TOKEN_FILE}): for commands that run without a config framework.
     */
    public static Function<String, Optional<String>> environment(Map<String, String> env) {
        return key -> Optional.ofNullable(env.get(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
    }

    private static String readTokenFile(Path file) {
        try {
            if (Files.size(file) > MAX_TOKEN_BYTES) {
                throw new IllegalArgumentException(
                        TOKEN_FILE_KEY + " " + file + " is larger than " + MAX_TOKEN_BYTES + " bytes: not a token");
            }
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new IllegalArgumentException(TOKEN_FILE_KEY + " " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException(TOKEN_FILE_KEY + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** A new random token: 32 bytes from a strong source, in hex. */
    public static String generateToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public boolean tokenRequired() {
        return expected.isPresent();
    }

    /** Whether a request with this {@code Authorization} header value (null when absent) may change state. */
    public boolean allows(String authorization) {
        if (open) {
            return true;
        }
        if (expected.isEmpty() || authorization == null || !authorization.startsWith(BEARER)) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected.get(), given);
    }

    /** Why a request was refused, for the 401's body: what to send, or what to configure. */
    public String refusal(String what) {
        if (expected.isPresent()) {
            return what + " needs 'Authorization: Bearer <token>' with the pipeline's API token";
        }
        return what + " is refused: no API token is configured (set " + TOKEN_KEY + ", e.g. PIPELINE_API_TOKEN, or "
                + TOKEN_FILE_KEY + "; " + OPEN_KEY + "=true only on a trusted network)";
    }

    /** One line for the service's start-up log: how its state-changing endpoints are guarded. */
    public String describe() {
        if (open) {
            return "API open: anyone who reaches this service may submit, stop and score (" + OPEN_KEY + "=true)";
        }
        if (expected.isPresent()) {
            return "API guarded: submitting, stopping and scoring need the bearer token";
        }
        return "API closed: no token configured, so submitting, stopping and scoring are refused (set " + TOKEN_KEY
                + " or " + TOKEN_FILE_KEY + ")";
    }
}
