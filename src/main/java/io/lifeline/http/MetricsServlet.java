package io.lifeline.http;

import io.lifeline.metrics.HubMetrics;
import io.lifeline.protocol.ProtocolException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics}: the Prometheus text exposition of {@link HubMetrics}.
 *
 * <p>With {@code LIFELINE_METRICS_TOKEN} set, it answers only a request that carries that token as
 * {@code Authorization: Bearer} (RFC 6750, 2.1; Prometheus sends it with {@code authorization.credentials}), else
 * {@code 401}. The token is compared in constant time.</p>
 */
final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String BEARER = "Bearer ";

    private final transient HubMetrics metrics;
    /** Null when /metrics answers anyone. */
    private final byte[] token;

    MetricsServlet(HubMetrics metrics, String token) {
        this.metrics = metrics;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (token != null && !authorized(request.getHeader("Authorization"))) {
            Responses.refuse(response, ProtocolException.unauthorized(
                    "/metrics needs the token set in LIFELINE_METRICS_TOKEN, as Authorization: Bearer <token>"));
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/plain;version=0.0.4;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] presented = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token);
    }
}
