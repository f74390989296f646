package io.lifeline.http;

import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * Answers every method a path does not support itself, before any servlet sees it: {@code 405} with {@code Allow}
 * (RFC 9110, 15.5.6) and a one-line reason in plain text. Without it, {@code HttpServlet} echoes a {@code TRACE}
 * request, credentials included, and answers an unknown method ({@code PROPFIND}) {@code 501}, a server error for a
 * client's mistake.
 *
 * <p>The hub answers {@code GET} (subscribe), {@code POST} (publish) and {@code OPTIONS}; {@code HEAD} would open a
 * subscription only to discard it. Every other path answers {@code GET}, {@code HEAD} and {@code OPTIONS}. A plain
 * {@code OPTIONS} gets {@code 204} and {@code Allow}; a CORS preflight is answered before, by the hub's headers.</p>
 */
final class AllowedMethods extends HttpFilter {

    private static final long serialVersionUID = 1L;

    private static final String HUB = "/.well-known/mercure";
    private static final Set<String> HUB_METHODS = Set.of("GET", "POST", "OPTIONS");
    private static final String HUB_ALLOW = "GET, POST, OPTIONS";
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final String READ_ALLOW = "GET, HEAD, OPTIONS";

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean hub = path.equals(HUB);
        String method = request.getMethod();
        String allow = hub ? HUB_ALLOW : READ_ALLOW;
        if ("OPTIONS".equals(method)) {
            response.setHeader("Allow", allow);
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if ((hub ? HUB_METHODS : READ_METHODS).contains(method)) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Allow", allow);
        Responses.refuse(response, new ProtocolException(HttpServletResponse.SC_METHOD_NOT_ALLOWED, method
                + " is not supported here; " + path + " answers " + allow
                + ("TRACE".equals(method) ? " (TRACE would echo the request, credentials included)" : "")));
    }
}
