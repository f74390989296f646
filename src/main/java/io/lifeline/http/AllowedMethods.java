package io.lifeline.http;

import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Answers every method a path does not support itself, before any servlet sees it: {@code 405} with {@code Allow}
 * (RFC 9110, 15.5.6) and a one-line reason in plain text. Without it, {@code HttpServlet} echoes a {@code TRACE}
 * request, credentials included, and answers an unknown method ({@code PROPFIND}) {@code 501}, a server error for a
 * client's mistake.
 *
 * <p>The hub answers {@code GET} and {@code QUERY} (subscribe), {@code POST} (publish), {@code HEAD} and
 * {@code OPTIONS}; a {@code HEAD} gets what its {@code GET} would, without opening a stream (RFC 9110, section 9.1:
 * "All general-purpose servers MUST support the methods GET and HEAD"). The live view's stream answers {@code GET},
 * {@code HEAD} and {@code OPTIONS}, and the F5 demonstration {@code POST} and {@code OPTIONS}. Every other path
 * answers {@code GET}, {@code HEAD} and {@code OPTIONS}. A plain {@code OPTIONS} gets {@code 204} and {@code Allow}; a
 * CORS preflight is answered before, by the hub's headers.</p>
 */
final class AllowedMethods extends HttpFilter {

    private static final long serialVersionUID = 1L;

    /** The methods of the paths that do not answer {@link #READ}. */
    private static final Map<String, List<String>> OWN = Map.of(
            "/.well-known/mercure", List.of("GET", "HEAD", "QUERY", "POST", "OPTIONS"),
            LiveServlet.PATH, List.of("GET", "HEAD", "OPTIONS"),
            DemonstrationServlet.PATH, List.of("POST", "OPTIONS"));
    private static final List<String> READ = List.of("GET", "HEAD", "OPTIONS");

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        List<String> methods = OWN.getOrDefault(path, READ);
        String method = request.getMethod();
        String allow = String.join(", ", methods);
        if ("OPTIONS".equals(method)) {
            response.setHeader("Allow", allow);
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (methods.contains(method)) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Allow", allow);
        Responses.refuse(response, new ProtocolException(HttpServletResponse.SC_METHOD_NOT_ALLOWED, method
                + " is not supported here; " + path + " answers " + allow
                + ("TRACE".equals(method) ? " (TRACE would echo the request, credentials included)" : "")));
    }
}
