package io.lifeline.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.lifeline.config.Setting;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A self-issuing publisher of Mercure 1.0 access tokens for tests: an issuer identifier and an Ed25519 key, the hub
 * settings that trust it, and tokens built as RFC 9068 and the text's "Authorization Details" describe them, each
 * part replaceable to build the broken ones.
 */
public final class AccessTokenIssuer {

    /** The resource identifier the tests' hubs are configured with. */
    public static final String RESOURCE = "https://hub.example.com/.well-known/mercure";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final OctetKeyPair key;

    public AccessTokenIssuer(String issuer) {
        this.issuer = issuer;
        try {
            this.key = new OctetKeyPairGenerator(Curve.Ed25519).keyID("k-" + UUID.randomUUID()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String issuer() {
        return issuer;
    }

    public OctetKeyPair key() {
        return key;
    }

    /** The public JWK Set, as a hub is given it. */
    public String jwks() {
        return new JWKSet(key.toPublicJWK()).toString();
    }

    /** The settings that make a hub trust this issuer, its keys written in. */
    public Map<Setting, String> settings() {
        return Map.of(Setting.RESOURCE, RESOURCE, Setting.ISSUERS, "{\"" + issuer + "\": {\"jwks\": " + jwks() + "}}");
    }

    /** A token that publishes to exactly these topics ({@code exact} matchers, {@code *} for every one). */
    public String publisher(String... topics) {
        return token().grant(List.of("publish"), topics).sign();
    }

    /** A token that receives private updates of exactly these topics. */
    public String subscriber(String... topics) {
        return token().grant(List.of("subscribe"), topics).sign();
    }

    /** A token to build: valid for an hour, for {@link #RESOURCE}, with no grant yet. */
    public Token token() {
        return new Token();
    }

    /** One token being built. */
    public final class Token {
        private JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(new JOSEObjectType("at+jwt"))
                .keyID(key.getKeyID());
        private final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(RESOURCE)
                .subject("urn:uuid:" + UUID.randomUUID())
                .claim("client_id", issuer)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
                .jwtID("urn:uuid:" + UUID.randomUUID());
        private final ArrayNode details = JSON.createArrayNode();
        private JWSSigner signer;

        private Token() {
            try {
                signer = new Ed25519Signer(key);
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Adds a Mercure authorization detail granting the actions on {@code exact} matchers. */
        public Token grant(List<String> actions, String... topics) {
            return grantWithPayload(actions, null, topics);
        }

        /** The same, with a payload (JSON text) or null. */
        public Token grantWithPayload(List<String> actions, String payload, String... topics) {
            ObjectNode detail = details.addObject();
            detail.put("type", "https://mercure.rocks/authorization-detail");
            ArrayNode a = detail.putArray("actions");
            actions.forEach(a::add);
            ArrayNode t = detail.putArray("topics");
            for (String topic : topics) {
                t.addObject().put("match", topic);
            }
            if (payload != null) {
                try {
                    detail.set("payload", JSON.readTree(payload));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(e);
                }
            }
            return this;
        }

        /** Adds an authorization detail given as JSON text, as is. */
        public Token detail(String json) {
            try {
                details.add(JSON.readTree(json));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
            return this;
        }

        /** Changes the claims (remove one with {@code claim(name, null)}). */
        public Token claims(Consumer<JWTClaimsSet.Builder> change) {
            change.accept(claims);
            return this;
        }

        /** Replaces the header (algorithm, typ, kid, an embedded jwk...). */
        public Token header(JWSHeader.Builder header) {
            this.header = header;
            return this;
        }

        /** Signs with another signer (another key, another algorithm). */
        public Token signer(JWSSigner signer) {
            this.signer = signer;
            return this;
        }

        public String sign() {
            if (!details.isEmpty()) {
                List<Object> list = new ArrayList<>();
                try {
                    for (var node : details) {
                        list.add(JSON.treeToValue(node, Object.class));
                    }
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                claims.claim("authorization_details", list);
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims.build());
            try {
                jwt.sign(signer);
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
            return jwt.serialize();
        }
    }

    /** The claims of a token, unverified, for assertions. */
    public static JWTClaimsSet claimsOf(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet();
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
