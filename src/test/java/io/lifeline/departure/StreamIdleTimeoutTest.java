package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stream the Jetty HTTP/1.1 watch reads holds no idle timeout: Jetty keeps one scheduled task per connection for
 * it, and a stream has its own bounds (heartbeats, the dispatch timeout, the TCP user timeout). Once the stream ends,
 * its connection has the connector's idle timeout again until it closes.
 */
class StreamIdleTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aWatchedStreamHoldsNoIdleTimeoutAndItsConnectionGetsItBackWhenTheStreamEnds() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.MAX_LIFETIME, "2s"));
             RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=idle-timeout")) {
            client.awaitBody(":\n\n", WAIT);
            Subscriber subscriber = server.awaitSubscriber("idle-timeout");
            assertEquals(0L, server.idleTimeoutOf(client.localPort()), "idle timeout while the stream is open");

            Poll.until(WAIT, "the stream reaches its maximum lifetime", () -> subscriber.endReason() != null);
            assertEquals(EndReason.MAX_LIFETIME, subscriber.endReason());
            Poll.until(WAIT, "the watch has given the idle timeout back, or Jetty has closed the connection",
                    () -> !Long.valueOf(0).equals(server.idleTimeoutOf(client.localPort())));
            Long after = server.idleTimeoutOf(client.localPort()); // null once Jetty has closed the connection
            assertTrue(after == null || after == server.connectorIdleTimeout(), "idle timeout after the end: " + after);
            assertTrue(client.awaitEof(WAIT), "the connection closes after its stream (Connection: close)");
        }
    }
}
