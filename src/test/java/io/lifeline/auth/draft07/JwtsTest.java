package io.lifeline.auth.draft07;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.auth.Claims;
import io.lifeline.config.JwtKey;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.testing.Poll;
import io.lifeline.testing.Tokens;
import io.lifeline.topic.Matcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JwtsTest {

    private static final String KEY = "jwts-test-key-0123456-0123456789abcdef";
    private final Jwts verifier = new Jwts(new JwtKey(JwtKey.Algorithm.HS256, KEY, null));

    @Test
    void aTokenSentAgainIsNotVerifiedAgain() throws Exception {
        String token = Tokens.publisher(KEY, "https://example.com/books/{id}");
        Claims first = verifier.verify(token);
        assertSame(first, verifier.verify(token));
        assertEquals(Matcher.selectors(List.of("https://example.com/books/{id}")), first.publish());
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() throws Exception {
        // one second left, the leeway added: refused within about three seconds
        String token = Tokens.token(KEY, List.of("*"), null, Instant.now().plusSeconds(1));
        verifier.verify(token);
        Poll.until(Duration.ofSeconds(10), "the remembered token refused as expired", () -> {
            try {
                verifier.verify(token);
                return false;
            } catch (ProtocolException e) {
                assertEquals(401, e.status());
                assertTrue(e.reason().contains("expired"), e.reason());
                return true;
            }
        });
        ProtocolException again = assertThrows(ProtocolException.class, () -> verifier.verify(token));
        assertTrue(again.reason().contains("expired"), again.reason());
    }

    @Test
    void onlyATokenWithTheAdminClaimIsReadAsAnAdmin() throws Exception {
        assertFalse(verifier.verify(Tokens.publisher(KEY, "*")).admin());
        assertTrue(verifier.verify(Tokens.admin(KEY)).admin());
    }

    @Test
    void aRefusedTokenIsRefusedEveryTime() {
        String forged = Tokens.publisher("another-key-0123456789abcdef0123456789", "*");
        for (int i = 0; i < 2; i++) {
            ProtocolException refused = assertThrows(ProtocolException.class, () -> verifier.verify(forged));
            assertTrue(refused.reason().contains("signature"), refused.reason());
        }
    }
}
