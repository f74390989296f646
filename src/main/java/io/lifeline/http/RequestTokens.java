package io.lifeline.http;

import io.lifeline.auth.AccessTokenType;
import io.lifeline.protocol.FormBody;
import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the token a request carries, in the protocol's order: the {@code Authorization} header, else the
 * {@code authorization} query parameter (draft-07 tokens only), else the cookie (the configured name, else Mercure
 * 1.0's recommended {@value #ACCESS_TOKEN_COOKIE}). Once a place holds a token, the later ones are ignored; a
 * malformed header or parameter is refused, never passed over in favour of the cookie (Mercure 1.0, section
 * "Presenting the Access Token": with a header, any cookie is ignored).
 *
 * <p>A malformed presentation (two {@code Authorization} headers, an empty bearer token, a 1.0 access token in the
 * query string, which RFC 9700 forbids) is a 400 with {@code error="invalid_request"} (RFC 6750, section 3.1). A
 * header of another scheme carries no bearer token: 401.</p>
 *
 * <p>A cookie travels with every request a browser makes to the hub, including the ones another site's page makes:
 * a {@code POST} authorized by the cookie is therefore accepted only from the hub's own origin or an allowed one,
 * judged by {@code Origin}, else {@code Referer} (the protocol's defence against cross-site request forgery).</p>
 */
final class RequestTokens {

    private static final String BEARER = "Bearer ";

    /** The cookie name Mercure 1.0 recommends (section "Cookie"), read where the configured one is absent. */
    static final String ACCESS_TOKEN_COOKIE = "__Secure-mercure_access_token";

    private final String cookieName;
    private final List<String> publishOrigins;
    private final String resourceMetadata;
    private final boolean accessTokens;

    /**
     * @param resourceMetadata the URL of the hub's protected resource metadata, or null where it has none
     * @param accessTokens     whether the hub takes Mercure 1.0 access tokens; where it does not, one in the query
     *                         string is passed on, to be refused for what it is rather than for where it is
     */
    RequestTokens(String cookieName, List<String> publishOrigins, String resourceMetadata, boolean accessTokens) {
        this.cookieName = cookieName;
        this.publishOrigins = publishOrigins;
        this.resourceMetadata = resourceMetadata;
        this.accessTokens = accessTokens;
    }

    /** Answers a request refused over its token, the challenge naming the hub's metadata where it has some. */
    void refuse(HttpServletResponse response, ProtocolException refusal) throws IOException {
        Responses.refuse(response, refusal, resourceMetadata);
    }

    /** The request's token, or empty when it carries none. */
    Optional<String> find(HttpServletRequest request) throws ProtocolException {
        Optional<String> header = header(request);
        if (header.isPresent()) {
            return header;
        }
        Optional<String> query = queryParameter(request);
        if (query.isPresent()) {
            return query;
        }
        Optional<String> cookie = cookie(request);
        if (cookie.isPresent() && "POST".equals(request.getMethod())) {
            checkOrigin(request);
        }
        return cookie;
    }

    /** The token of the {@code Authorization} header alone ({@code Bearer <JWT>}), or empty without one. */
    static Optional<String> header(HttpServletRequest request) throws ProtocolException {
        Enumeration<String> headers = request.getHeaders("Authorization");
        if (headers == null || !headers.hasMoreElements()) {
            return Optional.empty();
        }
        String value = headers.nextElement();
        if (headers.hasMoreElements()) {
            throw ProtocolException.invalidRequest("more than one Authorization header");
        }
        if (value.trim().equalsIgnoreCase(BEARER.trim())) {
            throw ProtocolException.invalidRequest("the Authorization header holds no token after \"Bearer \"");
        }
        if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw ProtocolException.unauthorized("the Authorization header must be \"Bearer <JWT>\"");
        }
        String token = value.substring(BEARER.length()).trim();
        if (token.isEmpty()) {
            throw ProtocolException.invalidRequest("the Authorization header holds no token after \"Bearer \"");
        }
        return Optional.of(token);
    }

    /** Read from the raw query string: asking the container for a parameter would consume a POST's form body. */
    private Optional<String> queryParameter(HttpServletRequest request) throws ProtocolException {
        String query = request.getQueryString();
        if (query == null || !query.contains("authorization=")) {
            return Optional.empty();
        }
        List<String> values;
        try {
            values = FormBody.parse(query.getBytes(StandardCharsets.US_ASCII)).all("authorization");
        } catch (ProtocolException malformed) {
            throw ProtocolException.invalidRequest("the query string holding the authorization parameter is "
                    + "malformed");
        }
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1 || values.get(0).isEmpty()) {
            throw ProtocolException.invalidRequest("the authorization query parameter must be given once, with a "
                    + "JWT");
        }
        if (accessTokens && AccessTokenType.declaredBy(values.get(0))) {
            throw ProtocolException.invalidRequest("a Mercure 1.0 access token is never taken from the query string "
                    + "(Mercure 1.0, section \"Presenting the Access Token\"; RFC 9700): send it in the Authorization "
                    + "header or the cookie");
        }
        return Optional.of(values.get(0));
    }

    /**
     * Without a {@code Cookie} header the container is not asked for cookies: Jetty would keep an empty cookie cache
     * and an attribute map with the request, about 300 bytes for as long as a subscriber's stream lasts.
     */
    private Optional<String> cookie(HttpServletRequest request) {
        if (request.getHeader("Cookie") == null) {
            return Optional.empty();
        }
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return Optional.empty();
        }
        return named(cookies, cookieName).or(() -> named(cookies, ACCESS_TOKEN_COOKIE));
    }

    private static Optional<String> named(Cookie[] cookies, String name) {
        for (Cookie cookie : cookies) {
            if (name.equals(cookie.getName()) && !cookie.getValue().isEmpty()) {
                return Optional.of(cookie.getValue());
            }
        }
        return Optional.empty();
    }

    private void checkOrigin(HttpServletRequest request) throws ProtocolException {
        String origin = request.getHeader("Origin");
        if (origin == null || origin.isEmpty() || origin.equals("null")) {
            origin = originOf(request.getHeader("Referer"));
        }
        if (origin == null) {
            throw ProtocolException.forbidden("publishing with a token cookie needs an Origin or Referer header");
        }
        origin = origin.toLowerCase(Locale.ROOT);
        if (!origin.equals(ownOrigin(request)) && !publishOrigins.contains(origin) && !publishOrigins.contains("*")) {
            throw ProtocolException.forbidden("origin " + origin + " may not publish with a token cookie");
        }
    }

    private static String originOf(String referer) {
        if (referer == null || referer.isEmpty()) {
            return null;
        }
        try {
            URI uri = URI.create(referer);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The hub's own origin as this request addressed it. */
    static String ownOrigin(HttpServletRequest request) {
        String scheme = request.getScheme().toLowerCase(Locale.ROOT);
        int port = request.getServerPort();
        boolean defaultPort = port == 80 && scheme.equals("http") || port == 443 && scheme.equals("https");
        String host = request.getServerName().toLowerCase(Locale.ROOT);
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return scheme + "://" + host + (defaultPort || port <= 0 ? "" : ":" + port);
    }
}
