package io.lifeline.protocol.draft08;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * The hub's OAuth 2.0 Protected Resource Metadata (RFC 9728; Mercure 1.0, section "Protected Resource Metadata"),
 * and where it lives.
 *
 * <p>The document names the {@code resource} (the identifier tokens' {@code aud} must contain), the
 * {@code authorization_servers} among the trusted issuers (those whose keys come from their RFC 8414 metadata; a
 * self-issuing publisher is none), {@code authorization_details_types_supported} (the Mercure type),
 * {@code bearer_methods_supported} ({@code header}: RFC 6750's query parameter is not accepted), {@code mercure_cookie}
 * (the cookie a browser may present its token in), and {@code mercure_matcher_types_supported}: {@code exact} alone,
 * since the member's absence would claim {@code urlpattern} too; and {@code mercure_subscriptions}, the hub having a
 * subscriptions API.</p>
 */
public final class ProtectedResourceMetadata {

    /** RFC 9728, section 3: the well-known path segment inserted before the resource's path. */
    public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";
    /** The Mercure authorization detail type (section "Authorization Details"), compared byte by byte. */
    public static final String DETAIL_TYPE = "https://mercure.rocks/authorization-detail";
    /** The document's media type (RFC 9728, section 3.2). */
    public static final String MEDIA_TYPE = "application/json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProtectedResourceMetadata() {
    }

    /**
     * Where a client finds the metadata of a resource identifier (RFC 9728, section 3.1): the well-known segment
     * inserted between its authority and its path, a trailing slash dropped.
     *
     * @return the URL, or null when the identifier is not an http(s) URL
     */
    public static String url(String resource) {
        try {
            URI uri = new URI(resource);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getRawAuthority() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return null;
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            return scheme + "://" + uri.getRawAuthority() + WELL_KNOWN + path;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The document, as JSON text. */
    public static String document(String resource, List<String> authorizationServers, String cookie) {
        ObjectNode node = JSON.createObjectNode();
        node.put("resource", resource);
        if (!authorizationServers.isEmpty()) {
            authorizationServers.forEach(node.putArray("authorization_servers")::add);
        }
        node.putArray("authorization_details_types_supported").add(DETAIL_TYPE);
        node.putArray("bearer_methods_supported").add("header");
        node.put("mercure_cookie", cookie);
        node.putArray("mercure_matcher_types_supported").add(MatchParameters.EXACT_TYPE);
        node.put("mercure_subscriptions", true);
        return node.toString();
    }
}
