package io.lifeline.http;

import io.lifeline.metrics.HubMetrics;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics}: the Prometheus text exposition of {@link HubMetrics}. */
final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient HubMetrics metrics;

    MetricsServlet(HubMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/plain;version=0.0.4;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
