package io.lifeline.auth.draft08;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import io.lifeline.auth.AccessTokenType;
import io.lifeline.auth.Claims;
import io.lifeline.auth.TokenVerifier;
import io.lifeline.config.TrustedIssuer;
import io.lifeline.protocol.ProtocolException;
import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies Mercure 1.0 access tokens: JWT access tokens (RFC 9068) validated as the text's section "Token Validation"
 * profiles them, and reads their grants ({@link AuthorizationDetails}).
 *
 * <p>In order, each failure a 401 with {@code error="invalid_token"} and its reason:</p>
 * <ol>
 *   <li>the token is a JWS in compact serialization whose header {@code typ} is {@code at+jwt} or
 *       {@code application/at+jwt}, case-insensitively (RFC 9068, section 4), so that an OpenID Connect ID token or
 *       a draft-07 token is never taken for an access token;</li>
 *   <li>its {@code alg} is on the hub's allowlist ({@code LIFELINE_ALGORITHMS}); {@code none} never is, and the
 *       allowlist comes from configuration, never from the token (RFC 8725, sections 3.1 and 3.2);</li>
 *   <li>its {@code iss} is exactly one of the trusted issuers, and the signature verifies with a key of that issuer
 *       alone that fits {@code alg} (type, curve, the key's own {@code alg} and {@code use}); {@code kid} only
 *       chooses among that issuer's keys, and key material in the token ({@code jwk}, {@code jku}, {@code x5u},
 *       {@code x5c}) is never used;</li>
 *   <li>{@code exp} is present and not past, {@code nbf} not future (each allowing {@link TokenVerifier#LEEWAY}),
 *       and {@code aud}, a string or an array, contains the hub's resource identifier ({@code LIFELINE_RESOURCE}).</li>
 * </ol>
 *
 * <p>An issuer's keys that must be fetched and cannot be are the hub's trouble, not the token's: that is a 503 with
 * {@code Retry-After}, and the token is tried again on the next request; a WARN line says so, at most once per
 * {@link #KEYS_WARNING_INTERVAL}.</p>
 *
 * <p>Verified tokens are remembered by their text, as {@link TokenVerifier} does, and each use checks {@code exp}
 * again: a token is refused from {@link Claims#refusedFrom()} to the millisecond, as a draft-07 token is.</p>
 */
public final class AccessTokens implements TokenVerifier {

    /** Seconds after which a request refused because keys could not be fetched may be made again. */
    public static final long KEYS_RETRY_SECONDS = 5;

    /** At most one warning per this interval that an issuer's keys cannot be fetched. */
    public static final Duration KEYS_WARNING_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(AccessTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong lastKeysWarning = new AtomicLong(System.nanoTime() - KEYS_WARNING_INTERVAL.toNanos());

    private final String resource;
    private final Set<JWSAlgorithm> algorithms;
    private final Map<String, JWKSource<SecurityContext>> issuers = new HashMap<>();
    private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;
    private final Cache<String, Claims> remembered = CacheBuilder.newBuilder()
            .maximumSize(REMEMBERED).build();

    /**
     * @param resource   the identifier {@code aud} must contain; empty refuses every token
     * @param algorithms the allowlist
     * @param issuers    the trusted issuers and their key sources
     * @param keys       fetches the keys of issuers whose keys are not static
     */
    public AccessTokens(String resource, Set<JWSAlgorithm> algorithms, List<TrustedIssuer> issuers,
                        IssuerKeys keys) {
        this.resource = resource;
        this.algorithms = Set.copyOf(algorithms);
        for (TrustedIssuer issuer : issuers) {
            this.issuers.put(issuer.issuer(), issuer.keys() != null ? new ImmutableJWKSet<>(issuer.keys())
                    : keys.source(issuer));
        }
        this.claimsVerifier = new DefaultJWTClaimsVerifier<>(resource.isEmpty() ? null : Set.of(resource), null,
                Set.of("iss", "exp", "aud"), null);
        this.claimsVerifier.setMaxClockSkew((int) LEEWAY.toSeconds());
    }

    /**
     * @return what the token grants
     * @throws ProtocolException 401 {@code invalid_token} with the reason; 503 when its issuer's keys cannot be
     *                           fetched now
     */
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
        Claims fresh = verified(token);
        if (fresh.expiredAt(Instant.now())) {
            throw ProtocolException.invalidToken(fresh.expiredReason());
        }
        remembered.put(token, fresh);
        return fresh;
    }

    private Claims verified(String token) throws ProtocolException {
        if (resource.isEmpty() || issuers.isEmpty()) {
            throw ProtocolException.invalidToken("this hub accepts no Mercure 1.0 access tokens: it trusts no issuer "
                    + "(LIFELINE_ISSUERS, LIFELINE_RESOURCE)");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw ProtocolException.invalidToken("the token is not a signed JWT in compact serialization");
        }
        JWSHeader header = jwt.getHeader();
        JOSEObjectType typ = header.getType();
        if (typ == null || !AccessTokenType.matches(typ.getType())) {
            throw ProtocolException.invalidToken("the token's typ is " + (typ == null ? "absent" : typ.getType())
                    + ", not at+jwt: it was not issued as an access token (RFC 9068, section 4)");
        }
        if (!algorithms.contains(header.getAlgorithm())) {
            throw ProtocolException.invalidToken("the token's alg " + header.getAlgorithm()
                    + " is not one this hub accepts (LIFELINE_ALGORITHMS)");
        }
        if (claims.getIssuer() == null) {
            throw ProtocolException.invalidToken("the token has no iss claim (RFC 9068, section 4)");
        }
        JWKSource<SecurityContext> keys = issuers.get(claims.getIssuer());
        if (keys == null) {
            throw ProtocolException.invalidToken("the token's issuer (iss) is not one this hub trusts");
        }
        verifySignature(jwt, keys, claims.getIssuer());
        try {
            claimsVerifier.verify(claims, null);
        } catch (BadJOSEException e) {
            throw ProtocolException.invalidToken(claimsProblem(e.getMessage(), claims));
        }
        JsonNode body;
        try {
            body = JSON.readTree(jwt.getPayload().toString());
        } catch (IOException e) {
            throw ProtocolException.invalidToken("the token's claims are not JSON");
        }
        return AuthorizationDetails.read(body, claims.getExpirationTime().toInstant());
    }

    private void verifySignature(SignedJWT jwt, JWKSource<SecurityContext> source, String issuer)
            throws ProtocolException {
        JWSHeader header = jwt.getHeader();
        List<JWK> candidates;
        try {
            candidates = source.get(new JWKSelector(JWKMatcher.forJWSHeader(header)), null);
        } catch (KeySourceException e) {
            long now = System.nanoTime();
            long last = lastKeysWarning.get();
            if (now - last >= KEYS_WARNING_INTERVAL.toNanos() && lastKeysWarning.compareAndSet(last, now)) {
                LOG.warn("the keys of issuer {} cannot be fetched: {}; its tokens get 503 until they can",
                        issuer, e.getMessage());
            }
            throw ProtocolException.unavailable("the keys of the token's issuer cannot be fetched now: "
                    + e.getMessage(), KEYS_RETRY_SECONDS);
        }
        if (candidates.isEmpty()) {
            throw ProtocolException.invalidToken("no key of the token's issuer verifies alg " + header.getAlgorithm()
                    + (header.getKeyID() == null ? "" : " with kid " + header.getKeyID()));
        }
        for (JWK key : candidates) {
            try {
                if (jwt.verify(verifier(key))) {
                    return;
                }
            } catch (JOSEException e) {
                // a key that cannot verify this alg (a short secret, say) is no match; try the next
            }
        }
        throw ProtocolException.invalidToken("the token's signature does not verify with its issuer's keys");
    }

    private static JWSVerifier verifier(JWK key) throws JOSEException {
        if (key instanceof OctetKeyPair okp) {
            return new Ed25519Verifier(okp.toPublicJWK());
        }
        if (key instanceof ECKey ec) {
            return new ECDSAVerifier(ec.toPublicJWK());
        }
        if (key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa.toPublicJWK());
        }
        if (key instanceof OctetSequenceKey oct) {
            return new MACVerifier(oct);
        }
        throw new JOSEException("unsupported key type " + key.getKeyType());
    }

    /** Nimbus's claim verification messages, said in the hub's terms. */
    private String claimsProblem(String message, JWTClaimsSet claims) {
        String m = message == null ? "" : message;
        if (m.contains("missing required claims")) {
            return "the token lacks claims a hub requires (iss, exp, aud; RFC 9068, section 4): " + m;
        }
        if (m.startsWith("Expired")) {
            return claims.getExpirationTime() == null ? "the token has expired"
                    : Claims.expiredReason(claims.getExpirationTime().toInstant());
        }
        if (m.contains("before use time")) {
            return "the token is not valid yet (nbf)";
        }
        if (m.contains("audience") || m.contains("aud claim")) {
            return "the token's aud does not contain this hub's resource identifier, " + resource;
        }
        return "the token is not valid: " + m;
    }
}
