package dev.cifarpipeline.trainer.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiTokenTest {
    @Test
    void withoutAConfiguredTokenEveryoneMaySubmit() {
        ApiToken open = new ApiToken(Optional.empty());
        assertFalse(open.required());
        assertTrue(open.allows(null));
        assertTrue(new ApiToken(Optional.of("  ")).allows(null), "a blank token is no token");
    }

    @Test
    void withATokenOnlyTheRightBearerMaySubmit() {
        ApiToken token = new ApiToken(Optional.of("s3cret-token"));
        assertTrue(token.required());
        assertTrue(token.allows("Bearer s3cret-token"));
        assertFalse(token.allows(null));
        assertFalse(token.allows("s3cret-token"), "the scheme is required");
        assertFalse(token.allows("Bearer s3cret-toke"));
        assertFalse(token.allows("Bearer s3cret-token2"));
        assertFalse(token.allows("Basic czNjcmV0LXRva2Vu"));
    }
}
