package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.H2Client;
import io.lifeline.testing.Poll;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    private static String query(String topic) {
        return "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
    }
}
