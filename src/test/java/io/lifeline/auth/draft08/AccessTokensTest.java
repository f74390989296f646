package io.lifeline.auth.draft08;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.sun.net.httpserver.HttpServer;
import io.lifeline.auth.Claims;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Poll;
import io.lifeline.topic.Matcher;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Mercure 1.0, section "Token Validation": each check a hub makes of an access token, and the 401
 * {@code invalid_token} a token that fails it gets.
 */
class AccessTokensTest {

    private final AccessTokenIssuer issuer = new AccessTokenIssuer("https://publisher.example");

    private AccessTokens hub(Map<Setting, String> extra) {
        Map<Setting, String> values = new HashMap<>(issuer.settings());
        values.putAll(extra);
        Settings.Authorization settings = Settings.of(values).authorization();
        return new AccessTokens(settings.resource(), settings.algorithms(), settings.issuers(), new IssuerKeys());
    }

    private AccessTokens hub() {
        return hub(Map.of());
    }

    private static void assertInvalidToken(String reasonPart, AccessTokens hub, String token) {
        ProtocolException refused = assertThrows(ProtocolException.class, () -> hub.verify(token));
        assertEquals(401, refused.status(), refused.reason());
        assertEquals(ProtocolException.INVALID_TOKEN, refused.bearerError());
        assertTrue(refused.reason().contains(reasonPart), refused.reason());
    }

    @Test
    void aTokenOfATrustedIssuerGrantsWhatItsAuthorizationDetailsSay() throws Exception {
        String token = issuer.token().grant(List.of("publish"), "https://example.com/books/1")
                .grant(List.of("subscribe", "some-future-action"), "*").sign();

        Claims claims = hub().verify(token);

        assertEquals(Claims.Form.AUTHORIZATION_DETAILS, claims.form());
        assertEquals(List.of(Matcher.exact("https://example.com/books/1")), claims.publish());
        assertEquals(List.of(Matcher.exact("*")), claims.subscribe());
    }

    @Test
    void hubsMustVerifyThatTheTokenHeaderTypIsAtJwt() {
        assertInvalidToken("typ is JWT, not at+jwt", hub(), issuer.token()
                .header(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(JOSEObjectType.JWT)).sign());
        assertInvalidToken("typ is absent", hub(), issuer.token()
                .header(new JWSHeader.Builder(JWSAlgorithm.EdDSA)).sign());
    }

    @Test
    void theEquivalentApplicationAtJwtIsComparedCaseInsensitively() throws Exception {
        hub().verify(issuer.token().header(new JWSHeader.Builder(JWSAlgorithm.EdDSA)
                .type(new JOSEObjectType("application/AT+JWT"))).sign());
    }

    @Test
    void hubsMustNotAcceptAlgNone() {
        String unsigned = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "."
                + Base64URL.encode("{\"iss\":\"https://publisher.example\",\"aud\":\"" + AccessTokenIssuer.RESOURCE
                + "\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}") + ".";

        assertInvalidToken("not a signed JWT", hub(), unsigned);
    }

    @Test
    void hubsMustRejectAnyTokenWhoseAlgIsNotOnTheAllowlist() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        AccessTokenIssuer other = new AccessTokenIssuer("https://rs.example");
        Map<Setting, String> values = Map.of(Setting.ISSUERS, "{\"https://rs.example\": {\"jwks\": {\"keys\": ["
                + rsa.toPublicJWK() + "]}}}", Setting.ALGORITHMS, "EdDSA");

        assertThrows(RuntimeException.class, () -> hub(values), "an RSA key no allowed algorithm can use");
        AccessTokens edOnly = hub(Map.of(Setting.ALGORITHMS, "EdDSA"));
        String rs256 = other.token().claims(c -> c.issuer(issuer.issuer()))
                .header(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt")))
                .signer(new RSASSASigner(rsa)).sign();
        assertInvalidToken("alg RS256 is not one this hub accepts", edOnly, rs256);
    }

    @Test
    void hubsMustVerifyWithTheKeysOfTheTokensIssuerAloneNeverAPooledSet() throws Exception {
        AccessTokenIssuer second = new AccessTokenIssuer("https://second.example");
        AccessTokens hub = hub(Map.of(Setting.ISSUERS, "{\"" + issuer.issuer() + "\": {\"jwks\": " + issuer.jwks()
                + "}, \"" + second.issuer() + "\": {\"jwks\": " + second.jwks() + "}}"));
        hub.verify(second.subscriber("*"));

        String claimsToBeTheFirst = second.token().claims(c -> c.issuer(issuer.issuer())).grant(List.of("publish"), "*")
                .header(new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(new JOSEObjectType("at+jwt"))).sign();

        assertInvalidToken("signature does not verify", hub, claimsToBeTheFirst);
    }

    @Test
    void hubsMustNotUseKeyMaterialSuppliedByTheToken() throws Exception {
        OctetKeyPair attacker = new OctetKeyPairGenerator(Curve.Ed25519).keyID(issuer.key().getKeyID()).generate();
        String offered = issuer.token().header(new JWSHeader.Builder(JWSAlgorithm.EdDSA)
                        .type(new JOSEObjectType("at+jwt")).keyID(issuer.key().getKeyID()).jwk(attacker.toPublicJWK()))
                .signer(new Ed25519Signer(attacker)).grant(List.of("publish"), "*").sign();

        assertInvalidToken("signature does not verify", hub(), offered);
    }

    @Test
    void hubsMustVerifyThatAlgIsCompatibleWithTheKey() throws Exception {
        // the classic confusion: an HMAC "signed" with the bytes of a public key
        String confused = issuer.token().header(new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(new JOSEObjectType("at+jwt")))
                .signer(new MACSigner(issuer.key().getX().decode())).sign();

        assertInvalidToken("alg HS256 is not one this hub accepts", hub(), confused);
        assertInvalidToken("no key of the token's issuer verifies alg HS256",
                hub(Map.of(Setting.ALGORITHMS, "EdDSA,HS256")), confused);
    }

    @Test
    void hubsMustEnforceExpAndRejectATokenWithoutOne() {
        assertInvalidToken("lacks claims", hub(), issuer.token().claims(c -> c.expirationTime(null)).sign());
        assertInvalidToken("expired", hub(), issuer.token()
                .claims(c -> c.expirationTime(Date.from(Instant.now().minusSeconds(60)))).sign());
    }

    @Test
    void hubsMustEnforceNbfIfPresent() {
        assertInvalidToken("not valid yet", hub(), issuer.token()
                .claims(c -> c.notBeforeTime(Date.from(Instant.now().plusSeconds(60)))).sign());
    }

    @Test
    void hubsMustVerifyThatTheirResourceIdentifierAppearsInAud() throws Exception {
        assertInvalidToken("aud does not contain", hub(), issuer.token()
                .claims(c -> c.audience("https://other-hub.example/.well-known/mercure")).sign());
        assertInvalidToken("aud does not contain", hub(), issuer.token().claims(c -> c.audience((String) null)).sign());

        hub().verify(issuer.token().claims(c -> c.audience(List.of("https://api.example", AccessTokenIssuer.RESOURCE)))
                .sign());
    }

    @Test
    void hubsMustVerifyThatIssExactlyMatchesATrustedIssuer() {
        assertInvalidToken("issuer (iss) is not one this hub trusts", hub(), issuer.token()
                .claims(c -> c.issuer("https://publisher.example/")).sign());
        assertInvalidToken("no iss claim", hub(), issuer.token().claims(c -> c.issuer(null)).sign());
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() throws Exception {
        AccessTokens hub = hub();
        String token = issuer.token().claims(c -> c.expirationTime(Date.from(Instant.now().plusSeconds(1)))).sign();
        hub.verify(token);

        Poll.until(Duration.ofSeconds(10), "the remembered token expires", () -> {
            try {
                hub.verify(token);
                return false;
            } catch (ProtocolException refused) {
                return refused.bearerError().equals(ProtocolException.INVALID_TOKEN);
            }
        });
    }

    @Test
    void ecdsaRsaAndHmacKeysVerifyTheirAlgorithmsWhereAllowed() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        byte[] secret = "a-shared-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
        String oct = "{\"kty\":\"oct\",\"kid\":\"hs\",\"k\":\"" + Base64URL.encode(secret) + "\"}";
        AccessTokens hub = hub(Map.of(Setting.ALGORITHMS, "ES256,RS256,HS256", Setting.ISSUERS, "{\""
                + issuer.issuer() + "\": {\"jwks\": {\"keys\": [" + ec.toPublicJWK() + "," + rsa.toPublicJWK() + ","
                + oct + "]}}}"));

        hub.verify(issuer.token().header(header(JWSAlgorithm.ES256, "ec")).signer(new ECDSASigner(ec)).sign());
        hub.verify(issuer.token().header(header(JWSAlgorithm.RS256, "rsa")).signer(new RSASSASigner(rsa)).sign());
        hub.verify(issuer.token().header(header(JWSAlgorithm.HS256, null)).signer(new MACSigner(secret)).sign());
    }

    @Test
    void keysAreFetchedFromAJwksUriAndFetchedAgainForAKidTheyLack() throws Exception {
        AtomicReference<String> served = new AtomicReference<>(issuer.jwks());
        AtomicInteger fetches = new AtomicInteger();
        HttpServer server = serve(Map.of("/jwks.json", () -> {
            fetches.incrementAndGet();
            return served.get();
        }));
        try {
            String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
            Settings.Authorization settings = Settings.of(Map.of(Setting.RESOURCE, AccessTokenIssuer.RESOURCE,
                    Setting.ISSUERS, "{\"" + issuer.issuer() + "\": {\"jwks_uri\": \"" + uri + "\"}}")).authorization();
            AccessTokens hub = new AccessTokens(settings.resource(), settings.algorithms(), settings.issuers(),
                    new IssuerKeys(Duration.ZERO));

            hub.verify(issuer.subscriber("*"));
            hub.verify(issuer.subscriber("urn:other"));
            assertEquals(1, fetches.get(), "the JWK Set is cached");

            OctetKeyPair rotated = new OctetKeyPairGenerator(Curve.Ed25519).keyID("rotated").generate();
            served.set("{\"keys\": [" + rotated.toPublicJWK() + "]}");
            hub.verify(issuer.token().header(new JWSHeader.Builder(JWSAlgorithm.EdDSA)
                    .type(new JOSEObjectType("at+jwt")).keyID("rotated")).signer(new Ed25519Signer(rotated)).sign());
            assertEquals(2, fetches.get());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void keysAreFoundThroughTheIssuersAuthorizationServerMetadata() throws Exception {
        AtomicReference<String> issuerId = new AtomicReference<>();
        HttpServer server = serve(Map.of(
                "/.well-known/oauth-authorization-server/tenant", () -> "{\"issuer\": \"" + issuerId.get()
                        + "\", \"jwks_uri\": \"" + issuerId.get().replace("/tenant", "/keys") + "\"}",
                "/keys", issuer::jwks));
        try {
            issuerId.set("http://127.0.0.1:" + server.getAddress().getPort() + "/tenant");
            Settings.Authorization settings = Settings.of(Map.of(Setting.RESOURCE, AccessTokenIssuer.RESOURCE,
                    Setting.ISSUERS, "{\"" + issuerId.get() + "\": {\"metadata\": true}}")).authorization();
            AccessTokens hub = new AccessTokens(settings.resource(), settings.algorithms(), settings.issuers(),
                    new IssuerKeys());

            hub.verify(issuer.token().claims(c -> c.issuer(issuerId.get())).grant(List.of("publish"), "*").sign());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anIssuerWhoseKeysCannotBeFetchedIsTheHubsTroubleA503NotTheTokens() throws Exception {
        HttpServer server = serve(Map.of());
        int port = server.getAddress().getPort();
        server.stop(0);
        Settings.Authorization settings = Settings.of(Map.of(Setting.RESOURCE, AccessTokenIssuer.RESOURCE,
                Setting.ISSUERS, "{\"" + issuer.issuer() + "\": {\"jwks_uri\": \"http://127.0.0.1:" + port
                        + "/jwks.json\"}}")).authorization();
        AccessTokens hub = new AccessTokens(settings.resource(), settings.algorithms(), settings.issuers(),
                new IssuerKeys());

        ProtocolException refused = assertThrows(ProtocolException.class, () -> hub.verify(issuer.subscriber("*")));

        assertEquals(503, refused.status(), refused.reason());
        assertEquals(AccessTokens.KEYS_RETRY_SECONDS, refused.retryAfterSeconds());
        assertTrue(refused.reason().contains("cannot be fetched"), refused.reason());
    }

    private static JWSHeader.Builder header(JWSAlgorithm algorithm, String kid) {
        return new JWSHeader.Builder(algorithm).type(new JOSEObjectType("at+jwt")).keyID(kid);
    }

    private static HttpServer serve(Map<String, Supplier<String>> documents) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            var document = documents.get(exchange.getRequestURI().getPath());
            byte[] body = document == null ? new byte[0] : document.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(document == null ? 404 : 200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }
}
