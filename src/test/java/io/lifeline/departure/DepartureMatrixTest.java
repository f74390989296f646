package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.tcp.TcpSockets;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tls;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The core promise on the embedded program: each way a client can leave, directly or behind a proxy that only
 * half-closes, in plain HTTP/1.1 and over TLS, is noticed and fully released within one second. Heartbeats are 30 s
 * apart, so they cannot be what noticed.
 */
class DepartureMatrixTest {

    private static final Duration WITHIN = Duration.ofSeconds(1);
    private static final int ROUNDS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Path { DIRECT, PROXY }

    enum Departure { FIN, RST, CLOSE }

    /** Plain HTTP/1.1, or HTTP/1.1 over TLS, where FIN and RST come under TLS without a close_notify. */
    enum Wire { PLAIN, TLS }

    private static final Map<Wire, TestServer> SERVERS = new EnumMap<>(Wire.class);
    private static final Map<Wire, HalfClosingProxy> PROXIES = new EnumMap<>(Wire.class);
    private static final Map<Wire, DepartureReport> REPORTS = new EnumMap<>(Wire.class);
    private static Http http;
    /** Whether the watch reads the kernel's view of a connection here (Linux, descriptors reachable). */
    private static final boolean DESCRIPTORS_REACHABLE = TcpSockets.detect(Duration.ZERO, 0).descriptorsReachable();

    @BeforeAll
    static void start(@TempDir java.nio.file.Path keys) throws Exception {
        Map<Setting, String> settings = Map.of(Setting.HEARTBEAT, "30s", Setting.DISPATCH_TIMEOUT, "2s");
        SERVERS.put(Wire.PLAIN, TestServer.start(settings));
        Map<Setting, String> tls = new EnumMap<>(settings);
        tls.put(Setting.TLS_KEYSTORE, Tls.keystore(keys).toString());
        tls.put(Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD);
        SERVERS.put(Wire.TLS, TestServer.start(tls));
        for (Wire wire : Wire.values()) {
            PROXIES.put(wire, new HalfClosingProxy(SERVERS.get(wire).port()));
        }
        REPORTS.put(Wire.PLAIN, new DepartureReport(
                "Embedded Jetty 12.1, HTTP/1.1, departure watch `jetty-http1`, heartbeat 30 s"));
        REPORTS.put(Wire.TLS, new DepartureReport(
                "Embedded Jetty 12.1, HTTP/1.1 over TLS, departure watch `jetty-http1`, heartbeat 30 s"));
        http = new Http();
    }

    @AfterAll
    static void stop() throws IOException {
        REPORTS.get(Wire.PLAIN).write("embedded-jetty-http1");
        REPORTS.get(Wire.TLS).write("embedded-jetty-http1-tls");
        http.close();
        for (Wire wire : Wire.values()) {
            PROXIES.get(wire).close();
            SERVERS.get(wire).close();
        }
    }

    static Stream<Arguments> departures() {
        return Stream.of(Wire.values()).flatMap(wire -> Stream.of(
                Arguments.of(wire, Path.DIRECT, Departure.FIN, EndReason.CLIENT_CLOSED),
                Arguments.of(wire, Path.DIRECT, Departure.RST, EndReason.CLIENT_RESET),
                Arguments.of(wire, Path.DIRECT, Departure.CLOSE, EndReason.CLIENT_CLOSED),
                Arguments.of(wire, Path.PROXY, Departure.FIN, EndReason.CLIENT_CLOSED),
                Arguments.of(wire, Path.PROXY, Departure.RST, EndReason.CLIENT_CLOSED),
                Arguments.of(wire, Path.PROXY, Departure.CLOSE, EndReason.CLIENT_CLOSED)));
    }

    @ParameterizedTest(name = "{0} {1} {2} ends the subscriber {3} and releases it within 1 s")
    @MethodSource("departures")
    void aDepartureIsNoticedAndEverythingReleasedWithinOneSecond(Wire wire, Path path, Departure departure,
                                                                  EndReason expected) throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            departOnce(wire, path, departure, expected);
        }
    }

    private void departOnce(Wire wire, Path path, Departure departure, EndReason expected) throws IOException {
        TestServer server = SERVERS.get(wire);
        HalfClosingProxy proxy = PROXIES.get(wire);
        DepartureReport report = REPORTS.get(wire);
        String topic = "https://example.com/departures/" + UUID.randomUUID();
        String pathAndQuery = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        int port = path == Path.DIRECT ? server.port() : proxy.port();
        RawSseClient client = wire == Wire.TLS ? RawSseClient.openTls(port, pathAndQuery)
                : RawSseClient.open(port, pathAndQuery);
        assertEquals(200, client.awaitHead(Duration.ofSeconds(5)));
        Subscriber subscriber = server.awaitSubscriber(topic);
        publish(server, topic, "before");
        client.awaitBody("data: before", Duration.ofSeconds(5));
        HalfClosingProxy.Connection proxied = path == Path.PROXY ? proxy.connectionFrom(client.localPort()) : null;
        int serverSidePort = proxied != null ? proxied.serverSidePort() : client.localPort();

        if (departure == Departure.CLOSE) {
            client.drain(); // so that the close sends a FIN, not an RST for unread bytes
        }
        long sentBeforeDeparting = subscriber.bytesSent();
        long departedAt = System.nanoTime();
        switch (departure) {
            case FIN -> client.fin();
            case RST -> client.reset();
            case CLOSE -> client.close();
        }
        Deadline deadline = Deadline.after(departedAt, WITHIN);

        Poll.until(deadline.left(), "the subscriber ends", subscriber::isEnded);
        assertEquals(expected, subscriber.endReason(), "reason");
        if (DESCRIPTORS_REACHABLE) {
            assertEquals(sentBeforeDeparting, subscriber.bytesSent(), "bytes written after the departure: the watch"
                    + " tells a FIN from an RST by the kernel's pending error and TCP state, without writing a probe");
        }
        report.add(path.name().toLowerCase() + " " + departure.name(), subscriber.watchKind(),
                expected.label(), (subscriber.endedNanos() - departedAt) / 1000);

        Poll.until(deadline.left(), "gone from the hub and the topic index",
                () -> server.hub().subscriber(subscriber.id()).isEmpty() && !server.hub().isIndexed(subscriber));
        Poll.until(deadline.left(), "gone from the subscriptions API", () -> subscriptionsOf(server, topic).isEmpty());
        Poll.until(deadline.left(), "the server closed its side of the connection",
                () -> !server.hasConnectionFrom(serverSidePort));
        if (proxied != null) {
            Poll.until(deadline.left(), "the proxy sees the server's EOF", proxied::serverClosed);
        } else if (departure == Departure.FIN) {
            assertTrue(client.awaitEof(deadline.left()), "the client sees the server's EOF");
        }

        long bytesBefore = subscriber.bytesSent();
        long discardedBefore = proxied != null ? proxied.discardedBytes() : 0;
        publish(server, topic, "after");
        assertEquals(bytesBefore, subscriber.bytesSent(), "bytes written after the end");
        assertEquals(0, subscriber.queuedBytes(), "bytes queued after the end");
        if (proxied != null) {
            assertEquals(discardedBefore, proxied.discardedBytes(), "bytes reaching the proxy after the end");
        } else if (departure == Departure.FIN) {
            assertFalse(client.body().contains("after"), "the client received an update after its end");
        }
        client.close();
        assertCountersAddUp(server);
    }

    private void publish(TestServer server, String topic, String data) throws IOException {
        Http.Response response = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                "topic", topic, "data", data);
        assertEquals(200, response.status(), response.body());
    }

    private JsonNode subscriptionsOf(TestServer server, String topic) {
        try {
            Http.Response r = http.get(server.uri("/.well-known/mercure/subscriptions/"
                    + URLEncoder.encode(topic, StandardCharsets.UTF_8)), Tokens.subscriber(TestServer.KEY, "*"));
            assertEquals(200, r.status(), r.body());
            return JSON.readTree(r.body()).get("subscriptions");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertCountersAddUp(TestServer server) {
        var metrics = server.hub().metrics();
        Poll.until(Duration.ofSeconds(2), "started = live + ended",
                () -> metrics.startedTotal() == metrics.liveTotal() + metrics.endedTotal());
    }
}
