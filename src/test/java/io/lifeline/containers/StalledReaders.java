package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Sockets;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * A reader that stops reading, against a container process started with a 1 s dispatch timeout and a queue large
 * enough to hold everything: only its unfinished write can end it, {@code write-stalled}, whatever watch it has, and
 * its connection is aborted: the kernel drops what could not be sent instead of holding it behind a FIN.
 */
final class StalledReaders {

    private StalledReaders() {
    }

    static void stopReadingUntilWriteStalled(Container container, ExternalHub hub, String watch,
                                             DepartureReport report) throws IOException {
        String topic = "https://example.com/containers/stall/" + UUID.randomUUID();
        String stalledLabel = EndReason.WRITE_STALLED.label();
        try (RawSseClient stalled = container.openClient(container.port, "/.well-known/mercure?topic="
                + URLEncoder.encode(topic, StandardCharsets.UTF_8), 4096); Http http = new Http()) {
            stalled.awaitBody(":\n\n", Duration.ofSeconds(10));
            hub.awaitSubscriber(topic);
            long endedBefore = hub.ended(stalledLabel, watch);
            String data = "x".repeat(64 * 1024);
            for (int i = 0; i < 64 && hub.ended(stalledLabel, watch) == endedBefore; i++) {
                assertEquals(200, http.publish(container.uri("/.well-known/mercure"),
                        Tokens.publisher(ExternalHub.KEY, "*"), "topic", topic, "id", "big-" + i, "data", data)
                        .status());
            }
            long publishedAt = System.nanoTime();
            Poll.until(Duration.ofSeconds(2), "write-stalled in /metrics",
                    () -> hub.ended(stalledLabel, watch) == endedBefore + 1);
            report.add("stalled reader, dispatch timeout 1 s", "unfinished write", stalledLabel,
                    (System.nanoTime() - publishedAt) / 1000);
            Poll.until(Duration.ofSeconds(2), "gone from the subscriptions API",
                    () -> hub.subscriptionsOf(topic).isEmpty());
            Poll.until(Duration.ofSeconds(2), "the container aborted the connection: nothing left in the kernel, "
                    + "no FIN-WAIT", () -> Sockets.serverSide(container.port, stalled.localPort()).isEmpty());
        }
    }
}
