package io.lifeline.auth.draft08;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import io.lifeline.config.TrustedIssuer;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where the keys of an issuer that are not written into the configuration come from: its JWK Set (RFC 7517) at a
 * configured {@code jwks_uri}, or at the {@code jwks_uri} of its authorization server metadata (RFC 8414).
 *
 * <p>A JWK Set is fetched when a token of its issuer first needs it, on that request's thread, within
 * {@link #TIMEOUT} to connect and as long to read, at most {@link #MAX_BYTES}. It is then kept for {@link #TTL} and
 * fetched again when a token names a {@code kid} it lacks (a rotated key), at most once per
 * {@link #MIN_REFETCH}; while the issuer cannot be reached, the keys last fetched keep working for
 * {@link #OUTAGE_TTL}. Caching, refresh and rate limit are Nimbus's {@link JWKSourceBuilder}.</p>
 *
 * <p>Metadata is fetched once; its {@code issuer} must equal the configured identifier exactly (RFC 8414, section
 * 3.3), otherwise its keys are refused, as is a {@code jwks_uri} that is not http(s). A failed fetch of metadata is
 * tried again at most once per {@link #MIN_REFETCH}.</p>
 */
public final class IssuerKeys {

    /** Connect and read timeout of each fetch. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** Largest document fetched. */
    public static final int MAX_BYTES = 512 * 1024;
    /** How long a fetched JWK Set is used before it is fetched again. */
    public static final Duration TTL = Duration.ofMinutes(5);
    /** Shortest interval between two fetches of one document. */
    public static final Duration MIN_REFETCH = Duration.ofSeconds(10);
    /** How long the keys last fetched keep working while their issuer cannot be reached. */
    public static final Duration OUTAGE_TTL = Duration.ofHours(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResourceRetriever retriever = new DefaultResourceRetriever((int) TIMEOUT.toMillis(),
            (int) TIMEOUT.toMillis(), MAX_BYTES);
    private final Duration minRefetch;

    /** Fetches at most once per {@link #MIN_REFETCH}. */
    public IssuerKeys() {
        this(MIN_REFETCH);
    }

    /** Fetches one document at most once per {@code minRefetch} (shorter in tests of key rotation). */
    public IssuerKeys(Duration minRefetch) {
        this.minRefetch = minRefetch;
    }

    /** The keys of an issuer whose keys are fetched ({@link TrustedIssuer#jwksUri()} set). */
    public JWKSource<SecurityContext> source(TrustedIssuer issuer) {
        return issuer.metadata() ? new FromMetadata(issuer) : jwkSet(url(issuer.jwksUri()));
    }

    private JWKSource<SecurityContext> jwkSet(URL url) {
        return JWKSourceBuilder.<SecurityContext>create(url, retriever)
                .cache(TTL.toMillis(), TIMEOUT.toMillis() * 2)
                .rateLimited(minRefetch.toMillis())
                .outageTolerant(OUTAGE_TTL.toMillis())
                .build();
    }

    private static URL url(URI uri) {
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + uri, e);
        }
    }

    /** Finds the JWK Set through the issuer's metadata on first use. */
    private final class FromMetadata implements JWKSource<SecurityContext> {
        private final TrustedIssuer issuer;
        private JWKSource<SecurityContext> keys;
        private KeySourceException failure;
        private long failedAt;

        FromMetadata(TrustedIssuer issuer) {
            this.issuer = issuer;
        }

        @Override
        public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
            return resolve().get(selector, context);
        }

        private synchronized JWKSource<SecurityContext> resolve() throws KeySourceException {
            if (keys != null) {
                return keys;
            }
            if (failure != null && System.nanoTime() - failedAt < minRefetch.toNanos()) {
                throw failure;
            }
            try {
                keys = jwkSet(url(jwksUri()));
                failure = null;
                return keys;
            } catch (KeySourceException e) {
                failure = e;
                failedAt = System.nanoTime();
                throw e;
            }
        }

        private URI jwksUri() throws KeySourceException {
            JsonNode metadata;
            try {
                metadata = JSON.readTree(retriever.retrieveResource(url(issuer.jwksUri())).getContent());
            } catch (IOException | RuntimeException e) {
                throw new KeySourceException("the metadata " + issuer.jwksUri() + " cannot be read: " + e.getMessage());
            }
            if (metadata == null || !metadata.path("issuer").isTextual()
                    || !metadata.get("issuer").textValue().equals(issuer.issuer())) {
                throw new KeySourceException("the metadata " + issuer.jwksUri() + " names another issuer (RFC 8414, "
                        + "section 3.3)");
            }
            JsonNode jwksUri = metadata.get("jwks_uri");
            try {
                URI uri = new URI(jwksUri == null || !jwksUri.isTextual() ? "" : jwksUri.textValue());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("https") && !scheme.equals("http")) {
                    throw new KeySourceException("the metadata " + issuer.jwksUri() + " has no http(s) jwks_uri");
                }
                return uri;
            } catch (java.net.URISyntaxException e) {
                throw new KeySourceException("the metadata " + issuer.jwksUri() + " has a jwks_uri that is not a URI");
            }
        }
    }
}
