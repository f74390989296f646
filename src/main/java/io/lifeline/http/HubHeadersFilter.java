package io.lifeline.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Headers every response of the hub carries: CORS for the allowed origins, and the {@code Link} that names the hub.
 *
 * <p>CORS is an explicit allowlist. A listed origin gets itself back with {@code Access-Control-Allow-Credentials},
 * so its pages may send the hub's cookie; {@code *} in the list lets any other origin read, never with credentials;
 * an origin is never reflected unless listed. Responses vary by {@code Origin}, and scripts may read
 * {@code Last-Event-ID} and {@code Mercure-Last-Event-ID}. Preflight requests are answered here.</p>
 */
final class HubHeadersFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    private final List<String> origins;

    HubHeadersFilter(List<String> origins) {
        this.origins = origins;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.addHeader("Link", "</.well-known/mercure>; rel=\"mercure\"");
        response.addHeader("Vary", "Origin");
        String origin = request.getHeader("Origin");
        boolean allowed = origin != null && allow(origin.toLowerCase(Locale.ROOT), response);
        if ("OPTIONS".equals(request.getMethod()) && origin != null
                && request.getHeader("Access-Control-Request-Method") != null) {
            if (allowed) {
                response.setHeader("Access-Control-Allow-Methods", "GET, QUERY, POST");
                response.setHeader("Access-Control-Allow-Headers",
                        "Authorization, Content-Type, Last-Event-ID, Cache-Control");
                response.setHeader("Access-Control-Max-Age", "600");
            }
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        chain.doFilter(request, response);
    }

    private boolean allow(String origin, HttpServletResponse response) {
        if (origins.contains(origin)) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Allow-Credentials", "true");
        } else if (origins.contains("*")) {
            response.setHeader("Access-Control-Allow-Origin", "*");
        } else {
            return false;
        }
        response.setHeader("Access-Control-Expose-Headers", "Last-Event-ID, Mercure-Last-Event-ID, Link");
        return true;
    }
}
