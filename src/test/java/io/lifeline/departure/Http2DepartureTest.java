package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.H2Client;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tls;
import io.lifeline.watch.jetty.JettyHttp2Watch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 on the embedded program, h2c and h2 over TLS: a browser's {@code EventSource.close()} resets its stream and
 * keeps the connection for its other streams. The reset stream's subscriber ends within one second; the others go
 * on; a stream that stops reading ends {@code write-stalled} without holding its connection. Heartbeats are 30 s
 * apart, so they cannot be what noticed.
 */
class Http2DepartureTest {

    private static final Duration WITHIN = Duration.ofSeconds(1);
    private static final Map<Setting, String> SETTINGS = Map.of(Setting.HEARTBEAT, "30s");

    private static TestServer plain;
    private static TestServer tls;
    private static final DepartureReport REPORT =
            new DepartureReport("Embedded Jetty 12.1, HTTP/2, departure watch `jetty-http2`, heartbeat 30 s");

    @BeforeAll
    static void start(@TempDir Path keys) throws Exception {
        plain = TestServer.start(SETTINGS);
        Map<Setting, String> secure = new EnumMap<>(SETTINGS);
        secure.put(Setting.TLS_KEYSTORE, Tls.keystore(keys).toString());
        secure.put(Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD);
        tls = TestServer.start(secure);
    }

    @AfterAll
    static void stop() throws IOException {
        REPORT.write("embedded-jetty-http2");
        plain.close();
        tls.close();
    }

    @ParameterizedTest(name = "over TLS: {0}")
    @ValueSource(booleans = {false, true})
    void aResetStreamEndsItsSubscriberWithinOneSecondWhileOtherStreamsOnTheConnectionGoOn(boolean overTls)
            throws Exception {
        TestServer server = overTls ? tls : plain;
        String topic = "https://example.com/h2/" + UUID.randomUUID();
        try (H2Client client = H2Client.connect(server.port(), overTls); Http http = new Http()) {
            H2Client.SseStream closing = client.get("/.well-known/mercure?topic=" + topic + "&topic=closing");
            H2Client.SseStream staying = client.get("/.well-known/mercure?topic=" + topic + "&topic=staying");
            closing.awaitBody(":\n\n", Duration.ofSeconds(5));
            staying.awaitBody(":\n\n", Duration.ofSeconds(5));
            assertEquals(200, closing.status());
            Subscriber closingSubscriber = server.awaitSubscriber("closing");
            Subscriber stayingSubscriber = server.awaitSubscriber("staying");
            assertEquals(JettyHttp2Watch.KIND, closingSubscriber.watchKind());

            long resetAt = System.nanoTime();
            closing.reset();
            Deadline deadline = Deadline.after(resetAt, WITHIN);
            Poll.until(deadline.left(), "the reset stream's subscriber ends", closingSubscriber::isEnded);
            assertEquals(EndReason.CLIENT_RESET, closingSubscriber.endReason());
            REPORT.add((overTls ? "h2" : "h2c") + " stream reset", closingSubscriber.watchKind(),
                    EndReason.CLIENT_RESET.label(), (closingSubscriber.endedNanos() - resetAt) / 1000);
            Poll.until(deadline.left(), "and releases it",
                    () -> server.hub().subscriber(closingSubscriber.id()).isEmpty());

            assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", topic, "id", "after-reset").status());
            staying.awaitBody("id: after-reset\n", Duration.ofSeconds(5));
            assertFalse(stayingSubscriber.isEnded(), "the other stream's subscriber ended");
            assertTrue(client.isOpen(), "the connection closed");

            long closedAt = System.nanoTime();
            client.dropConnection();
            Poll.until(Deadline.after(closedAt, WITHIN).left(), "dropping the connection ends its last subscriber",
                    stayingSubscriber::isEnded);
            assertEquals(EndReason.CLIENT_RESET, stayingSubscriber.endReason());
            REPORT.add((overTls ? "h2" : "h2c") + " connection dropped", stayingSubscriber.watchKind(),
                    stayingSubscriber.endReason().label(), (stayingSubscriber.endedNanos() - closedAt) / 1000);
        }
    }

    @Test
    void aStreamThatStopsReadingEndsWriteStalledWhileTheOtherStreamsOnItsConnectionGoOn() throws Exception {
        String topic = "https://example.com/h2/stall/" + UUID.randomUUID();
        String data = "x".repeat(64 * 1024);
        try (TestServer server = TestServer.start(Map.of(Setting.HEARTBEAT, "30s", Setting.DISPATCH_TIMEOUT, "1s",
                Setting.QUEUE_BYTES, "64MiB"));
             H2Client client = H2Client.connect(server.port(), false, 64 * 1024);
             Http http = new Http()) {
            H2Client.SseStream stalled = client.get("/.well-known/mercure?topic=" + topic + "&topic=stalled");
            H2Client.SseStream healthy = client.get("/.well-known/mercure?topic=" + topic + "&topic=healthy");
            stalled.awaitBody(":\n\n", Duration.ofSeconds(5));
            healthy.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber stalledSubscriber = server.awaitSubscriber("stalled");
            Subscriber healthySubscriber = server.awaitSubscriber("healthy");
            stalled.stopReading();

            // 4 MiB for a stream whose window is 64 KiB: its writes stop finishing, the dispatch timeout ends it.
            for (int i = 0; i < 64 && !stalledSubscriber.isEnded(); i++) {
                assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "id", "big-" + i, "data", data).status());
            }
            long publishedAt = System.nanoTime();
            Poll.until(Duration.ofSeconds(2), "the stalled stream's subscriber ends", stalledSubscriber::isEnded);
            assertEquals(EndReason.WRITE_STALLED, stalledSubscriber.endReason());
            REPORT.add("h2c stalled stream, dispatch timeout 1 s", "unfinished write",
                    EndReason.WRITE_STALLED.label(), Math.max(0, stalledSubscriber.endedNanos() - publishedAt) / 1000);

            assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", topic, "id", "after-stall").status());
            healthy.awaitBody("id: after-stall\n", Duration.ofSeconds(10));
            assertFalse(healthySubscriber.isEnded(), "the other stream's subscriber ended");
            assertTrue(client.isOpen(), "the connection closed with the stalled stream");
        }
    }
}
