package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.watch.NoWatch;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without a departure watch ({@code LIFELINE_WATCH=none}, or a connection no watch can see), heartbeats are all that
 * notices a departure: an RST after about one heartbeat, a close after about two, and a FIN behind a half-closing
 * proxy never; the maximum lifetime bounds that leak. This is what the fallback states, measured.
 */
class FallbackWatchTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);

    private static TestServer server;
    private static final DepartureReport REPORT =
            new DepartureReport("Embedded Jetty 12.1, HTTP/1.1, no departure watch (`LIFELINE_WATCH=none`), heartbeat 300 ms");

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(Setting.WATCH, "none", Setting.HEARTBEAT, "300ms"));
    }

    @AfterAll
    static void stop() throws IOException {
        REPORT.write("embedded-no-watch");
        server.close();
    }

    @Test
    void aResetIsNoticedByTheNextHeartbeatWrite() throws IOException {
        depart("direct RST", RawSseClient::reset);
    }

    @Test
    void aCloseIsNoticedWithinAFewHeartbeatWrites() throws IOException {
        depart("direct CLOSE", client -> {
            client.drain();
            client.close();
        });
    }

    @Test
    void aFinBehindAHalfClosingProxyIsNeverNoticedByHeartbeats() throws IOException {
        String topic = topic();
        try (HalfClosingProxy proxy = new HalfClosingProxy(server.port());
             RawSseClient client = RawSseClient.open(proxy.port(), "/.well-known/mercure?topic=" + topic)) {
            client.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber subscriber = server.awaitSubscriber(topic);
            HalfClosingProxy.Connection proxied = proxy.connectionFrom(client.localPort());
            client.fin();
            Poll.until(Duration.ofSeconds(5), "the proxy passes the FIN on", proxied::clientGone);
            // Five heartbeats reach the proxy after the client has gone, and each write succeeds.
            Poll.until(HEARTBEAT.multipliedBy(20), "five heartbeats discarded by the proxy",
                    () -> proxied.discardedBytes() >= 5 * 3);
            assertFalse(subscriber.isEnded(), "a heartbeat noticed a FIN behind the proxy");
            REPORT.notNoticed("proxy FIN", "still open " + subscriber.age().toMillis()
                    + " ms later, every heartbeat written; only the maximum lifetime ends it");
        }
    }

    @Test
    void withoutAWatchAFinBehindTheProxyIsBoundedByTheMaximumLifetime() throws IOException {
        try (TestServer bounded = TestServer.start(Map.of(Setting.WATCH, "none", Setting.HEARTBEAT, "300ms",
                Setting.MAX_LIFETIME, "2s"));
             HalfClosingProxy proxy = new HalfClosingProxy(bounded.port())) {
            String topic = topic();
            RawSseClient client = RawSseClient.open(proxy.port(), "/.well-known/mercure?topic=" + topic);
            client.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber subscriber = bounded.awaitSubscriber(topic);
            HalfClosingProxy.Connection proxied = proxy.connectionFrom(client.localPort());
            long departedAt = System.nanoTime();
            client.fin();
            Poll.until(Duration.ofSeconds(3), "the maximum lifetime ends the subscriber", subscriber::isEnded);
            assertEquals(EndReason.MAX_LIFETIME, subscriber.endReason());
            assertTrue(subscriber.age().compareTo(Duration.ofMillis(1600)) >= 0, "lived " + subscriber.age());
            Poll.until(Duration.ofSeconds(2), "the server closes the connection", proxied::serverClosed);
            REPORT.add("proxy FIN, LIFELINE_MAX_LIFETIME=2s", "maximum lifetime", EndReason.MAX_LIFETIME.label(),
                    (subscriber.endedNanos() - departedAt) / 1000);
            client.close();
        }
    }

    @Test
    void everySubscriberHasAMaximumLifetimeByDefaultThirtyMinutesWatchedFifteenUnwatched() {
        io.lifeline.config.Settings defaults = io.lifeline.config.Settings.of(Map.of());
        assertEquals(Duration.ofMinutes(30), defaults.departures().maxLifetime(true));
        assertEquals(Duration.ofMinutes(15), defaults.departures().maxLifetime(false));
        io.lifeline.config.Settings everyone = io.lifeline.config.Settings.of(Map.of(Setting.MAX_LIFETIME, "1h"));
        assertEquals(Duration.ofHours(1), everyone.departures().maxLifetime(true));
        assertEquals(Duration.ofHours(1), everyone.departures().maxLifetime(false));
        io.lifeline.config.Settings never = io.lifeline.config.Settings.of(Map.of(Setting.MAX_LIFETIME, "0s"));
        assertEquals(Duration.ZERO, never.departures().maxLifetime(false));
    }

    private void depart(String name, Departure departure) throws IOException {
        String topic = topic();
        RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + topic);
        client.awaitBody(":\n\n", Duration.ofSeconds(5));
        Subscriber subscriber = server.awaitSubscriber(topic);
        assertEquals(NoWatch.KIND, subscriber.watchKind());
        long departedAt = System.nanoTime();
        departure.depart(client);
        Poll.until(HEARTBEAT.multipliedBy(4), "a heartbeat write notices the departure", subscriber::isEnded);
        assertEquals(EndReason.WRITE_FAILED, subscriber.endReason());
        REPORT.add(name, "heartbeat", EndReason.WRITE_FAILED.label(), (subscriber.endedNanos() - departedAt) / 1000);
        Poll.until(Duration.ofSeconds(2), "the connection is closed", () -> !server.hasConnectionFrom(client.localPort()));
    }

    private static String topic() {
        return "https://example.com/fallback/" + UUID.randomUUID();
    }

    private interface Departure {
        void depart(RawSseClient client) throws IOException;
    }
}
