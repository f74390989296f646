package io.lifeline.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.PrometheusText;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /metrics}: the series an operator graphs, and counters that add up. */
class MetricsTest {

    @Test
    void metricsExposeSubscribersByWatchEndsByReasonCleanupLatencyAndUpdates() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            RawSseClient stays = RawSseClient.open(server.port(), "/.well-known/mercure?topic=m");
            RawSseClient leaves = RawSseClient.open(server.port(), "/.well-known/mercure?topic=m");
            RawSseClient resets = RawSseClient.open(server.port(), "/.well-known/mercure?topic=m");
            for (RawSseClient c : new RawSseClient[] {stays, leaves, resets}) {
                c.awaitBody(":\n\n", Duration.ofSeconds(5));
            }
            assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", "m", "data", "x").status());
            // each of the three is counted as delivered once its own writer wrote the update: wait for all three
            for (RawSseClient c : new RawSseClient[] {stays, leaves, resets}) {
                c.awaitBody("data: x", Duration.ofSeconds(5));
            }
            leaves.fin();
            resets.reset();
            // The live gauge drops at the last step of a subscriber's release, after it has left the hub.
            Poll.until(Duration.ofSeconds(2), "two subscribers end and are counted",
                    () -> server.hub().subscribers().size() == 1 && server.hub().metrics().liveTotal() == 1);

            Http.Response r = http.get(server.uri("/metrics"), null);
            assertEquals(200, r.status());
            assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
            String text = r.body();
            assertEquals(1, value(text, "lifeline_subscribers_live{watch=\"jetty-http1\"}"));
            assertEquals(3, value(text, "lifeline_subscribers_started_total{watch=\"jetty-http1\"}"));
            assertEquals(1, value(text, "lifeline_subscribers_ended_total{reason=\"client-closed\",watch=\"jetty-http1\"}"));
            assertEquals(1, value(text, "lifeline_subscribers_ended_total{reason=\"client-reset\",watch=\"jetty-http1\"}"));
            assertEquals(0, value(text, "lifeline_subscribers_ended_total{reason=\"write-stalled\",watch=\"none\"}"));
            assertEquals(1, value(text, "lifeline_cleanup_latency_seconds_count{reason=\"client-closed\"}"));
            assertTrue(text.contains("lifeline_cleanup_latency_seconds_bucket{reason=\"client-reset\",le=\"0.001\"}"));
            assertEquals(1, value(text, "lifeline_updates_published_total"));
            assertEquals(3, value(text, "lifeline_updates_delivered_total"));
            assertEquals(0, value(text, "lifeline_queue_size_bytes"));
            assertEquals(1, value(text, "lifeline_watch_available{watch=\"jetty-http1\"}"));
            assertEquals(1, value(text, "lifeline_watch_available{watch=\"none\"}"));
            assertEquals(PrometheusText.sum(text, "lifeline_subscribers_started_total"),
                    PrometheusText.sum(text, "lifeline_subscribers_live")
                            + PrometheusText.sum(text, "lifeline_subscribers_ended_total"),
                    "started = live + ended");
            stays.close();
            leaves.close();
        }
    }

    private static double value(String exposition, String series) {
        return PrometheusText.find(exposition, series)
                .orElseThrow(() -> new AssertionError("no series " + series + " in\n" + exposition));
    }
}
