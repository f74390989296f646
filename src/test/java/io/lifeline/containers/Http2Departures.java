package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.H2Client;
import io.lifeline.testing.Poll;
import io.lifeline.testing.SseEvents;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * HTTP/2 departures against a container process: a browser's {@code EventSource.close()} resets its stream and keeps
 * the connection; a browser that quits drops the connection. Each ends its subscriber within one second, noticed
 * through the container's own notification; a reset leaves the connection's other streams going.
 */
final class Http2Departures {

    private static final Duration WITHIN = Duration.ofSeconds(1);

    private Http2Departures() {
    }

    /**
     * @param watch     the watch label the subscribers carry in the metrics
     * @param noticedBy what notices, for the report
     * @param reason    the end reason the container's notification leads to
     * @param label     {@code h2} or {@code h2c}, for the report
     */
    static void resetAStreamThenDropTheConnection(Container container, ExternalHub hub, boolean tls, String watch,
                                                  String noticedBy, String reason, DepartureReport report,
                                                  String label)
            throws Exception {
        String closingTopic = "https://example.com/h2/closing/" + UUID.randomUUID();
        String stayingTopic = "https://example.com/h2/staying/" + UUID.randomUUID();
        try (H2Client client = H2Client.connect(container.port, tls)) {
            H2Client.SseStream closing = client.get(query(closingTopic));
            H2Client.SseStream staying = client.get(query(stayingTopic));
            closing.awaitBody(":\n\n", Duration.ofSeconds(10));
            staying.awaitBody(":\n\n", Duration.ofSeconds(10));
            hub.awaitSubscriber(closingTopic);
            hub.awaitSubscriber(stayingTopic);
            long before = hub.ended(reason, watch);

            long resetAt = System.nanoTime();
            closing.reset();
            Deadline deadline = Deadline.after(resetAt, WITHIN);
            Poll.until(deadline.left(), reason + " by " + watch + " in /metrics; output:\n" + container.output(),
                    () -> hub.ended(reason, watch) == before + 1);
            report.add(label + " stream reset", noticedBy, reason, (System.nanoTime() - resetAt) / 1000);
            Poll.until(deadline.left(), "gone from the subscriptions API",
                    () -> hub.subscriptionsOf(closingTopic).isEmpty());

            hub.publish(stayingTopic, "after-reset");
            staying.awaitBody("id: after-reset\n", Duration.ofSeconds(5));
            assertTrue(client.isOpen(), "the connection closed with the stream");

            long droppedAt = System.nanoTime();
            client.dropConnection();
            Poll.until(Deadline.after(droppedAt, WITHIN).left(), "dropping the connection ends its last subscriber",
                    () -> hub.ended(reason, watch) == before + 2);
            report.add(label + " connection dropped", noticedBy, reason, (System.nanoTime() - droppedAt) / 1000);
            Poll.until(Duration.ofSeconds(2), "gone from the subscriptions API",
                    () -> hub.subscriptionsOf(stayingTopic).isEmpty());
            Poll.until(Duration.ofSeconds(2), "started = live + ended", hub::countersAddUp);
        }
    }

    /** A non-ASCII {@code Last-Event-ID} sent in UTF-8 over HTTP/2 is read as UTF-8 and answered in UTF-8. */
    static void nonAsciiLastEventIdBothWays(Container container, ExternalHub hub, boolean tls) throws Exception {
        String topic = "https://example.com/h2/ids/" + UUID.randomUUID();
        String first = "caf\u00e9-" + UUID.randomUUID();
        String second = "caf\u00e9-" + UUID.randomUUID();
        hub.publish(topic, first);
        hub.publish(topic, second);
        String utf8OnTheWire = new String(first.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        try (H2Client client = H2Client.connect(container.port, tls)) {
            H2Client.SseStream stream = client.get(query(topic), "Last-Event-ID", utf8OnTheWire);
            stream.awaitBody("id: " + second + "\n", Duration.ofSeconds(5));
            assertEquals(utf8OnTheWire, stream.header("Last-Event-ID"));
            assertEquals(List.of(second), SseEvents.ids(stream.body()));
        }
    }

    /**
     * A stream whose window stays shut ends {@code write-stalled} and is reset (the client sees the stream end),
     * while the connection's other stream goes on.
     */
    static void aStalledStreamIsResetWhileTheOtherGoesOn(Container container, ExternalHub hub, boolean tls,
                                                         String watch, DepartureReport report, String label)
            throws Exception {
        String stalledTopic = "https://example.com/h2/stalled/" + UUID.randomUUID();
        String healthyTopic = "https://example.com/h2/healthy/" + UUID.randomUUID();
        String data = "x".repeat(64 * 1024);
        try (H2Client client = H2Client.connect("127.0.0.1", container.port, tls, 64 * 1024)) {
            H2Client.SseStream stalled = client.get(query(stalledTopic));
            H2Client.SseStream healthy = client.get(query(healthyTopic));
            stalled.awaitBody(":\n\n", Duration.ofSeconds(10));
            healthy.awaitBody(":\n\n", Duration.ofSeconds(10));
            hub.awaitSubscriber(stalledTopic);
            hub.awaitSubscriber(healthyTopic);
            stalled.stopReading();
            String reason = "write-stalled";
            long before = hub.ended(reason, watch);
            for (int i = 0; i < 64 && hub.ended(reason, watch) == before; i++) {
                hub.publish(stalledTopic, "big-" + i, data);
            }
            long publishedAt = System.nanoTime();
            Poll.until(Duration.ofSeconds(3), reason + " in /metrics; output:\n" + container.output(),
                    () -> hub.ended(reason, watch) == before + 1);
            report.add(label + " stalled stream, dispatch timeout 1 s", "unfinished write", reason,
                    (System.nanoTime() - publishedAt) / 1000);
            Poll.until(Duration.ofSeconds(2), "the stalled stream is reset", stalled::ended);
            hub.publish(healthyTopic, "after-stall");
            healthy.awaitBody("id: after-stall\n", Duration.ofSeconds(10));
            assertTrue(client.isOpen(), "the connection closed with the stalled stream");
        }
    }

    private static String query(String topic) {
        return "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
    }
}
