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
 * its connection has the connector's idle timeout again: Jetty mostly holds a connection it closed its side of until
 * the client closes too, and without it a client that never did would hold it forever.
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
            assertTrue(client.awaitEof(WAIT), "the server closes its side after the stream (Connection: close)");
            // The client has not closed its side: Jetty mostly holds the half-closed connection until it does, or
            // until the idle timeout, which only the watch giving it back makes finite (under load it was seen
            // closing the connection at once instead; then there is nothing left to bound).
            Long after = server.idleTimeoutOf(client.localPort());
            assertTrue(after == null || after == server.connectorIdleTimeout(),
                    "idle timeout of the half-closed connection: " + after);
        }
    }
}
