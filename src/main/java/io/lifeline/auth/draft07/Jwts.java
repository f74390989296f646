package io.lifeline.auth.draft07;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.lifeline.auth.AdminClaim;
import io.lifeline.auth.Claims;
import io.lifeline.auth.TokenVerifier;
import io.lifeline.config.JwtKey;
import io.lifeline.protocol.ProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Verifies draft-07 tokens signed with one key, HS256 or RS256, and reads their {@code mercure} claim.
 *
 * <p>The algorithm is pinned by the key: a token whose header names any other algorithm, {@code none} included, is
 * refused before its signature is looked at, so a key can never be used with an algorithm it was not meant for.
 * HS256 keys of any length work, since the protocol's own examples use a 10-byte key; start-up warns about short
 * ones.</p>
 *
 * <p>Expiry allows {@link TokenVerifier#LEEWAY} for clock skew between the token's issuer and the hub, and no
 * more: a token is refused from {@link Claims#refusedFrom()} to the millisecond, as a Mercure 1.0 access token is.
 * java-jwt's own check compares whole seconds, so it would let a token in for up to a second more; it stays as a
 * backstop.</p>
 *
 * <p>A token that verified is remembered, by its exact text, up to {@link TokenVerifier#REMEMBERED} of them, least
 * recently used forgotten first: a publisher or a reconnecting subscriber sends the same token again and again, and
 * verifying it (decoding, two JSON documents, the signature) was most of the hub's own CPU for a publish that reaches
 * few subscribers. Each use of a remembered token checks its expiry again with the same leeway; what a token grants
 * cannot change, since the text includes its signature and the key is fixed for the process's life. Refused tokens are
 * never remembered, so only the key's holder can fill the memory, with tokens it issued.</p>
 *
 * <p>Every refusal is a 401 with {@code error="invalid_token"} (RFC 6750, section 3.1).</p>
 */
public final class Jwts implements TokenVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JWTVerifier verifier;
    private final String algorithm;
    private final Cache<String, Claims> remembered = CacheBuilder.newBuilder().maximumSize(REMEMBERED).build();

    public Jwts(JwtKey key) {
        Algorithm pinned = switch (key.algorithm()) {
            case HS256 -> Algorithm.HMAC256(key.secret());
            case RS256 -> Algorithm.RSA256(key.publicKey(), null);
        };
        this.algorithm = key.algorithm().name();
        this.verifier = JWT.require(pinned)
                .acceptLeeway(LEEWAY.toSeconds())
                .ignoreIssuedAt()
                .build();
    }

    /** @throws ProtocolException 401, with the reason the token was refused */
    @Override
    public Claims verify(String token) throws ProtocolException {
        Claims known = remembered.getIfPresent(token);
        if (known != null) {
            if (known.expiredAt(Instant.now())) {
                remembered.invalidate(token);
                throw ProtocolException.invalidToken(known.expiredReason());
            }
            return known;
        }
        DecodedJWT jwt = verified(token);
        Claims fresh = claims(jwt, body(jwt));
        if (fresh.expiredAt(Instant.now())) {
            throw ProtocolException.invalidToken(fresh.expiredReason());
        }
        remembered.put(token, fresh);
        return fresh;
    }

    private DecodedJWT verified(String token) throws ProtocolException {
        try {
            return verifier.verify(token);
        } catch (AlgorithmMismatchException e) {
            throw ProtocolException.invalidToken("the token's algorithm is not " + algorithm);
        } catch (SignatureVerificationException e) {
            throw ProtocolException.invalidToken("the token's signature does not match the hub's key");
        } catch (TokenExpiredException e) {
            throw ProtocolException.invalidToken(Claims.expiredReason(e.getExpiredOn()));
        } catch (IncorrectClaimException e) {
            throw ProtocolException.invalidToken("the token is not valid: " + e.getClaimName() + " claim");
        } catch (JWTDecodeException e) {
            throw ProtocolException.invalidToken("the token is not a well-formed JWT");
        } catch (JWTVerificationException e) {
            throw ProtocolException.invalidToken("the token is not valid");
        }
    }

    private static JsonNode body(DecodedJWT jwt) throws ProtocolException {
        try {
            JsonNode body = JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt.getPayload()),
                    StandardCharsets.UTF_8));
            if (!body.isObject()) {
                throw ProtocolException.invalidToken("the token's claims are not a JSON object");
            }
            return body;
        } catch (IOException | IllegalArgumentException e) {
            throw ProtocolException.invalidToken("the token's claims are not JSON");
        }
    }

    private static Claims claims(DecodedJWT jwt, JsonNode body) throws ProtocolException {
        JsonNode mercure = body.get("mercure");
        if (mercure != null && !mercure.isNull() && !mercure.isObject()) {
            throw ProtocolException.invalidToken("the token's mercure claim is not an object");
        }
        List<String> publish = selectors(mercure, "publish");
        List<String> subscribe = selectors(mercure, "subscribe");
        JsonNode payload = mercure == null ? null : mercure.get("payload");
        return Claims.mercure(publish, subscribe, payload == null || payload.isNull() ? null : payload,
                jwt.getExpiresAtAsInstant(), AdminClaim.grantedBy(body));
    }

    private static List<String> selectors(JsonNode mercure, String name) throws ProtocolException {
        JsonNode node = mercure == null ? null : mercure.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw ProtocolException.invalidToken("the token's mercure." + name + " claim is not an array");
        }
        List<String> selectors = new ArrayList<>(node.size());
        for (JsonNode selector : node) {
            if (!selector.isTextual()) {
                throw ProtocolException.invalidToken("the token's mercure." + name + " claim has a non-string entry");
            }
            selectors.add(selector.asText());
        }
        return selectors;
    }
}
