package io.lifeline.auth;

import io.lifeline.protocol.ProtocolException;
import java.time.Duration;

/**
 * Verifies one dialect's tokens and reads their grants into {@link Claims}: {@code auth.draft07.Jwts} for draft-07
 * tokens (one key, the {@code mercure} claim), {@code auth.draft08.AccessTokens} for Mercure 1.0 access tokens
 * ({@link AccessTokenType}, trusted issuers, {@code authorization_details}).
 */
public interface TokenVerifier {

    /** The clock skew allowed between a token's issuer and the hub, on {@code exp} and {@code nbf}, and no more. */
    Duration LEEWAY = Duration.ofSeconds(2);

    /** How many verified tokens a verifier remembers at most, by their exact text, least recently used forgotten. */
    int REMEMBERED = 10_000;

    /**
     * @return what the token grants
     * @throws ProtocolException 401 {@code invalid_token} with the reason, or another status where the hub, not the
     *                           token, is at fault
     */
    Claims verify(String token) throws ProtocolException;
}
