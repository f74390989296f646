package io.lifeline.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Tokens for tests, signed the way publishers and subscribers sign them. */
public final class Tokens {

    private Tokens() {
    }

    public static String publisher(String key, String... selectors) {
        return token(key, List.of(selectors), null, null);
    }

    public static String subscriber(String key, String... selectors) {
        return token(key, null, List.of(selectors), null);
    }

    /** A token with Lifeline's admin claim, {@code "lifeline": {"admin": true}}, and no {@code mercure} claim. */
    public static String admin(String key) {
        return JWT.create().withClaim("lifeline", Map.of("admin", true)).sign(Algorithm.HMAC256(key));
    }

    /** The same, expiring at {@code expiresAt}. */
    public static String admin(String key, Instant expiresAt) {
        return JWT.create().withClaim("lifeline", Map.of("admin", true)).withExpiresAt(expiresAt)
                .sign(Algorithm.HMAC256(key));
    }

    /** A token with the given claims; any list may be null to leave that claim out. */
    public static String token(String key, List<String> publish, List<String> subscribe, Instant expiresAt) {
        Map<String, Object> mercure = new HashMap<>();
        if (publish != null) {
            mercure.put("publish", publish);
        }
        if (subscribe != null) {
            mercure.put("subscribe", subscribe);
        }
        JWTCreator.Builder builder = JWT.create().withClaim("mercure", mercure);
        if (expiresAt != null) {
            builder.withExpiresAt(expiresAt);
        }
        return builder.sign(Algorithm.HMAC256(key));
    }
}
