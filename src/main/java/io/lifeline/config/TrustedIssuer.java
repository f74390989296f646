package io.lifeline.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One issuer whose Mercure 1.0 access tokens the hub trusts, and where its keys come from (Mercure 1.0, section
 * "Token Validation": each trusted key is bound in the hub's configuration to the issuer it belongs to, and a token
 * is verified only with the keys of its own {@code iss}).
 *
 * <p>{@code LIFELINE_ISSUERS} is a JSON object from issuer identifier to the source of its keys, exactly one of:</p>
 * <ul>
 *   <li>{@code {"jwks": {"keys": [...]}}}: a JWK Set (RFC 7517) written into the configuration;</li>
 *   <li>{@code {"jwks_file": "/etc/lifeline/issuer.jwks.json"}}: the same, read from a file at start-up;</li>
 *   <li>{@code {"jwks_uri": "https://as.example/jwks.json"}}: fetched when first needed, cached and refreshed;</li>
 *   <li>{@code {"metadata": true}}: the {@code jwks_uri} of the issuer's authorization server metadata (RFC 8414,
 *       section 3: {@code /.well-known/oauth-authorization-server} inserted before the issuer's path), whose
 *       {@code issuer} must equal the identifier.</li>
 * </ul>
 *
 * <p>A static key must be public (or, for HS256, a shared secret of at least 256 bits) and usable with at least one
 * algorithm of {@code LIFELINE_ALGORITHMS}; anything else stops start-up with the issuer named.</p>
 *
 * @param issuer   the {@code iss} its tokens carry, compared exactly
 * @param keys     its static keys, or null when they are fetched
 * @param jwksUri  where its JWK Set is fetched, or null for static keys; for {@code metadata}, the metadata document
 * @param metadata true when {@code jwksUri} is the issuer's RFC 8414 metadata rather than its JWK Set
 */
public record TrustedIssuer(String issuer, JWKSet keys, URI jwksUri, boolean metadata) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private static final Set<String> SOURCES = Set.of("jwks", "jwks_file", "jwks_uri", "metadata");

    /** RFC 8414, section 3: where an issuer's authorization server metadata lives. */
    private static URI metadataUri(URI issuer) {
        String path = issuer.getRawPath() == null || issuer.getRawPath().equals("/") ? "" : issuer.getRawPath();
        return URI.create(issuer.getScheme() + "://" + issuer.getRawAuthority()
                + "/.well-known/oauth-authorization-server" + path);
    }

    /** Parses {@code LIFELINE_ISSUERS}; an empty value trusts no issuer. */
    static List<TrustedIssuer> parse(ConfigSources.Value v, Set<JWSAlgorithm> algorithms) {
        if (v.raw().isBlank()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(v.raw());
        } catch (JsonProcessingException e) {
            // Jackson's message, without where it read the source from
            throw Values.bad(v, "is not JSON: " + e.getOriginalMessage()
                    .replaceAll("(?s)\\s*\\(?\\s*(start marker )?at \\[Source.*$", ""));
        }
        if (root == null || !root.isObject()) {
            throw Values.bad(v, "must be a JSON object from issuer identifier to its keys, e.g. "
                    + "{\"https://publisher.example\": {\"jwks_uri\": \"https://publisher.example/jwks.json\"}}");
        }
        if (root.isEmpty()) {
            throw Values.bad(v, "names no issuer; leave it empty to trust none");
        }
        List<TrustedIssuer> issuers = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            issuers.add(issuer(v, field.getKey(), field.getValue(), algorithms));
        }
        return List.copyOf(issuers);
    }

    private static TrustedIssuer issuer(ConfigSources.Value v, String issuer, JsonNode source,
                                        Set<JWSAlgorithm> algorithms) {
        String named = "issuer '" + issuer + "'";
        if (issuer.isEmpty()) {
            throw Values.bad(v, "names an empty issuer identifier");
        }
        if (source == null || !source.isObject() || source.size() != 1
                || !SOURCES.contains(source.fieldNames().next())) {
            throw Values.bad(v, "gives " + named + " no single source of keys: use one of {\"jwks\": {...}}, "
                    + "{\"jwks_file\": \"path\"}, {\"jwks_uri\": \"https://...\"} or {\"metadata\": true}");
        }
        String kind = source.fieldNames().next();
        JsonNode value = source.get(kind);
        switch (kind) {
            case "jwks" -> {
                return new TrustedIssuer(issuer, staticKeys(v, named, value.toString(), algorithms), null, false);
            }
            case "jwks_file" -> {
                if (!value.isTextual()) {
                    throw Values.bad(v, "gives " + named + " a jwks_file that is not a path");
                }
                String text;
                try {
                    text = Files.readString(Path.of(value.asText()));
                } catch (IOException | RuntimeException e) {
                    throw Values.bad(v, "gives " + named + " the jwks_file " + value.asText() + ", which cannot be "
                            + "read: " + e.getMessage());
                }
                return new TrustedIssuer(issuer, staticKeys(v, named + " (" + value.asText() + ")", text, algorithms),
                        null, false);
            }
            case "jwks_uri" -> {
                return new TrustedIssuer(issuer, null, httpUri(v, named + "'s jwks_uri", value), false);
            }
            default -> {
                if (!value.isBoolean() || !value.booleanValue()) {
                    throw Values.bad(v, "gives " + named + " \"metadata\": " + value + "; only true is meaningful");
                }
                URI id = httpUri(v, named + " (metadata needs an issuer that is a URL)", JSON.getNodeFactory()
                        .textNode(issuer));
                if (id.getRawQuery() != null || id.getRawFragment() != null) {
                    throw Values.bad(v, "gives " + named + " metadata, but an issuer identifier has no query or "
                            + "fragment (RFC 8414, section 2)");
                }
                return new TrustedIssuer(issuer, null, metadataUri(id), true);
            }
        }
    }

    private static JWKSet staticKeys(ConfigSources.Value v, String named, String json, Set<JWSAlgorithm> algorithms) {
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw Values.bad(v, "gives " + named + " keys that are not a JWK Set ({\"keys\": [...]}, RFC 7517): "
                    + e.getMessage());
        }
        if (set.getKeys().isEmpty()) {
            throw Values.bad(v, "gives " + named + " an empty JWK Set");
        }
        for (JWK key : set.getKeys()) {
            String which = named + "'s key" + (key.getKeyID() == null ? "" : " '" + key.getKeyID() + "'");
            if (key.getKeyType() == KeyType.OCT) {
                if (((OctetSequenceKey) key).toByteArray().length < 32) {
                    throw Values.bad(v, "gives " + which + " a shared secret shorter than 256 bits (RFC 7518, "
                            + "section 3.2)");
                }
            } else if (key.isPrivate()) {
                throw Values.bad(v, "gives " + which + " with its private part: give the public key alone "
                        + "(a hub only verifies)");
            }
            if (compatible(key, algorithms).isEmpty()) {
                throw Values.bad(v, "gives " + which + " (" + key.getKeyType() + ") no algorithm of "
                        + Setting.ALGORITHMS.envName() + " " + names(algorithms) + " can use");
            }
        }
        return set;
    }

    /** The allowed algorithms a key can verify: its own {@code alg} if it names one, else those of its type. */
    public static Set<JWSAlgorithm> compatible(JWK key, Set<JWSAlgorithm> algorithms) {
        Set<JWSAlgorithm> forType = new LinkedHashSet<>();
        for (JWSAlgorithm a : algorithms) {
            boolean fits = KeyType.forAlgorithm(a) == key.getKeyType()
                    && (key.getAlgorithm() == null || key.getAlgorithm().equals(a));
            if (fits) {
                forType.add(a);
            }
        }
        return forType;
    }

    private static URI httpUri(ConfigSources.Value v, String named, JsonNode value) {
        if (!value.isTextual()) {
            throw Values.bad(v, "gives " + named + " that is not a URL");
        }
        try {
            URI uri = new URI(value.asText());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                throw Values.bad(v, "gives " + named + " '" + value.asText() + "', not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw Values.bad(v, "gives " + named + " '" + value.asText() + "', not a URL: " + e.getReason());
        }
    }

    static String names(Set<JWSAlgorithm> algorithms) {
        return algorithms.stream().map(JWSAlgorithm::getName).toList().toString();
    }

    @Override
    public String toString() {
        // never key material
        if (keys != null) {
            int count = keys.getKeys().size();
            return issuer + " (" + count + (count == 1 ? " static key)" : " static keys)");
        }
        return issuer + (metadata ? " (metadata " + jwksUri + ")" : " (" + jwksUri + ")");
    }
}
