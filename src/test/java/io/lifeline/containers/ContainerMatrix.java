package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeline.protocol.draft07.ActiveSubscriptions;
import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.EncodedTopics;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.Poll;
import io.lifeline.testing.Http;
import io.lifeline.testing.RawHttp;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Sockets;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The departure matrix of the core promise, run against the WAR in a stock container process: each way a client can
 * leave, directly and behind a proxy that only half-closes, is noticed and released within one second, by the
 * container's own departure watch; a reader that stops reading ends {@code write-stalled}. Heartbeats are 30 s
 * apart, so they cannot be what noticed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerMatrix {

    static final Duration WITHIN = Duration.ofSeconds(1);
    static final Map<String, String> SETTINGS = Map.of(
            "LIFELINE_JWT_KEY", ExternalHub.KEY,
            "LIFELINE_ANONYMOUS", "true",
            "LIFELINE_HEARTBEAT", "30s",
            "LIFELINE_DISPATCH_TIMEOUT", "1s",
            "LIFELINE_QUEUE_BYTES", "64MiB",
            "LIFELINE_DRAIN", "0s");

    enum Path2 { DIRECT, PROXY }

    enum Departure { FIN, RST, CLOSE }

    private Container container;
    private ExternalHub hub;
    private HalfClosingProxy proxy;
    private DepartureReport report;

    /** The container, configured under {@code base}. */
    abstract Container container(Path base) throws IOException;

    /** The departure watch this container's plain HTTP/1.1 connections get. */
    abstract String expectedWatch();

    /** A short name for the report file. */
    abstract String reportName();

    @BeforeAll
    void start(@TempDir Path base) throws IOException {
        container = container(base).start(SETTINGS);
        hub = new ExternalHub(container);
        proxy = new HalfClosingProxy(container.port);
        report = new DepartureReport("Stock " + container.name + ", HTTP/1.1"
                + (container.scheme().equals("https") ? " over TLS" : "")
                + ", departure watch `" + expectedWatch() + "`, heartbeat 30 s (time until the end shows in /metrics)");
    }

    Container container() {
        return container;
    }

    ExternalHub hub() {
        return hub;
    }

    DepartureReport report() {
        return report;
    }


    @AfterAll
    void stop() throws IOException {
        try {
            if (report != null) {
                report.write(reportName());
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (hub != null) {
                hub.close();
            }
            if (container != null) {
                container.close();
            }
        }
    }

    @Test
    void theF5DemonstrationsFinIsNoticedClientClosedByThisContainersWatch() throws IOException {
        try (RawSseClient viewer = hub.openLiveView()) {
            viewer.awaitBody("event: snapshot\n", Duration.ofSeconds(5));
            hub.startDemonstration();
            viewer.awaitBody("\"step\":\"noticed\"", Duration.ofSeconds(10));
            JsonNode noticed = ExternalHub.demonstrationStep(viewer, "noticed").orElseThrow();
            assertEquals("client-closed", noticed.get("reason").asText());
            assertEquals(expectedWatch(), noticed.get("watch").asText());
            report.add("F5 demonstration (the hub's own relay, FIN to release)", expectedWatch(), "client-closed",
                    (long) (noticed.get("releasedMillisAfterFin").asDouble() * 1000));
        }
    }

    static Stream<Arguments> departures() {
        return Stream.of(
                Arguments.of(Path2.DIRECT, Departure.FIN, EndReason.CLIENT_CLOSED),
                Arguments.of(Path2.DIRECT, Departure.RST, EndReason.CLIENT_RESET),
                Arguments.of(Path2.DIRECT, Departure.CLOSE, EndReason.CLIENT_CLOSED),
                Arguments.of(Path2.PROXY, Departure.FIN, EndReason.CLIENT_CLOSED),
                Arguments.of(Path2.PROXY, Departure.RST, EndReason.CLIENT_CLOSED),
                Arguments.of(Path2.PROXY, Departure.CLOSE, EndReason.CLIENT_CLOSED));
    }

    @ParameterizedTest(name = "{0} {1} ends the subscriber {2} and releases it within 1 s")
    @MethodSource("departures")
    void aDepartureIsNoticedAndReleasedWithinOneSecond(Path2 path, Departure departure, EndReason expected)
            throws IOException {
        for (int round = 0; round < 3; round++) {
            departOnce(path, departure, expected);
        }
    }

    private void departOnce(Path2 path, Departure departure, EndReason expected) throws IOException {
        String topic = "https://example.com/containers/" + UUID.randomUUID();
        RawSseClient client = container.openClient(path == Path2.DIRECT ? container.port : proxy.port(),
                "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8), 0);
        client.awaitBody(":\n\n", Duration.ofSeconds(10));
        hub.awaitSubscriber(topic);
        hub.publish(topic, "before");
        client.awaitBody("id: before\n", Duration.ofSeconds(5));
        HalfClosingProxy.Connection proxied = path == Path2.PROXY ? proxy.connectionFrom(client.localPort()) : null;
        int serverSidePort = proxied != null ? proxied.serverSidePort() : client.localPort();
        long endedBefore = hub.ended(expected.label(), expectedWatch());

        if (departure == Departure.CLOSE) {
            client.drain();
        }
        long departedAt = System.nanoTime();
        switch (departure) {
            case FIN -> client.fin();
            case RST -> client.reset();
            case CLOSE -> client.close();
        }
        Deadline deadline = Deadline.after(departedAt, WITHIN);
        Poll.until(deadline.left(), expected.label() + " by " + expectedWatch() + " in /metrics; output:\n"
                + container.output(), () -> hub.ended(expected.label(), expectedWatch()) == endedBefore + 1);
        report.add(path.name().toLowerCase() + " " + departure.name(), expectedWatch(), expected.label(),
                (System.nanoTime() - departedAt) / 1000);
        Poll.until(deadline.left(), "gone from the subscriptions API", () -> hub.subscriptionsOf(topic).isEmpty());
        Poll.until(deadline.left(), "the container closed its side of the connection",
                () -> Sockets.open(container.port, serverSidePort).isEmpty());
        if (proxied != null) {
            Poll.until(deadline.left(), "the proxy sees the container's EOF", proxied::serverClosed);
        } else if (departure == Departure.FIN) {
            assertTrue(client.awaitEof(deadline.left()), "the client sees the container's EOF");
        }

        long discarded = proxied != null ? proxied.discardedBytes() : 0;
        hub.publish(topic, "after");
        if (proxied != null) {
            assertEquals(discarded, proxied.discardedBytes(), "bytes reaching the proxy after the end");
        } else if (departure == Departure.FIN) {
            assertFalse(client.body().contains("after"), "an update after the end reached the client");
        }
        client.close();
        Poll.until(Duration.ofSeconds(2), "started = live + ended", hub::countersAddUp);
    }

    @Test
    void aSubscriberThatSentItsMatchersInAQueryBodyIsNoticedLeavingByThisContainersWatch() throws IOException {
        String topic = "https://example.com/containers/" + UUID.randomUUID();
        try (RawSseClient client = container.queryClient("/.well-known/mercure",
                "match=" + URLEncoder.encode(topic, StandardCharsets.UTF_8))) {
            client.awaitBody(":\n\n", Duration.ofSeconds(10));
            hub.awaitSubscriber(topic);
            long endedBefore = hub.ended(EndReason.CLIENT_CLOSED.label(), expectedWatch());
            client.fin();
            Poll.until(WITHIN, "client-closed by " + expectedWatch() + " in /metrics; output:\n" + container.output(),
                    () -> hub.ended(EndReason.CLIENT_CLOSED.label(), expectedWatch()) == endedBefore + 1);
        }
    }

    @Test
    void theStartUpLineSaysTheTcpUserTimeoutIsOptInForAWar() {
        Poll.until(Duration.ofSeconds(5), "the start-up line on the TCP user timeout; output:\n" + container.output(),
                () -> container.output().contains("TCP user timeout off (in a WAR it is opt-in"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PROPFIND", "PUT", "DELETE", "PATCH"})
    void aMethodTheHubDoesNotSupportIs405WithAllowAndAPlainReason(String method) throws IOException {
        Http.Response r = RawHttp.exchange(container.host, container.port, container.scheme().equals("https"),
                method + " /.well-known/mercure HTTP/1.1");
        assertEquals(405, r.status(), r.body());
        assertEquals("GET, HEAD, QUERY, POST, OPTIONS", r.header("Allow"));
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.headers().toString());
        assertTrue(r.body().startsWith(method + " is not supported here"), r.body());
    }

    @Test
    void traceEchoesNothingAndAPathThatServesNothingIs404InPlainText() throws IOException {
        String token = Tokens.publisher(ExternalHub.KEY, "*");
        for (String path : List.of("/.well-known/mercure", "/metrics", "/")) {
            Http.Response trace = RawHttp.exchange(container.host, container.port,
                    container.scheme().equals("https"), "TRACE " + path + " HTTP/1.1\r\nAuthorization: Bearer "
                            + token + "\r\nCookie: mercureAuthorization=" + token);
            assertTrue(trace.status() == 403 || trace.status() == 405, trace.status() + " " + trace.body());
            assertFalse(trace.body().contains(token), "TRACE echoed the request: " + trace.body());
        }
        Http.Response missing = RawHttp.exchange(container.host, container.port,
                container.scheme().equals("https"), "GET /no/such/thing HTTP/1.1\r\nAccept: text/html");
        assertEquals(404, missing.status());
        assertTrue(missing.header("Content-Type").startsWith("text/plain"), missing.headers().toString());
        assertTrue(missing.body().contains("/.well-known/mercure"), missing.body());
    }

    @Test
    void everyTopicThatCanBeSubscribedToIsFoundAtTheIdTheHubGivesItsSubscription() throws IOException {
        for (String topic : EncodedTopics.TOPICS) {
            try (RawSseClient client = container.openClient(container.port, "/.well-known/mercure?topic="
                    + URLEncoder.encode(topic, StandardCharsets.UTF_8), 0)) {
                client.awaitBody(":\n\n", Duration.ofSeconds(10));
                String id = ActiveSubscriptions.id(topic, hub.awaitSubscriber(topic));
                for (String path : List.of(id, EncodedTopics.withLiteralPlus(id))) {
                    assertEquals(topic, hub.subscriptionsApi(path).get("topic").asText(), path);
                }
            }
        }
    }

    @Test
    void aNonAsciiLastEventIdIsReadAsUtf8OrLatin1AndAnsweredInUtf8() throws IOException {
        String topic = "https://example.com/containers/ids/" + UUID.randomUUID();
        String first = "caf\u00e9-" + UUID.randomUUID();
        String second = "caf\u00e9-" + UUID.randomUUID();
        hub.publish(topic, first);
        hub.publish(topic, second);
        for (Charset charset : new Charset[] {StandardCharsets.UTF_8,
                StandardCharsets.ISO_8859_1}) {
            try (RawSseClient client = container.openClient("/.well-known/mercure?topic="
                    + URLEncoder.encode(topic, StandardCharsets.UTF_8), charset, "Last-Event-ID: " + first)) {
                client.awaitBody("id: " + second + "\n", Duration.ofSeconds(5));
                assertEquals(first, client.headerUtf8("Last-Event-ID"), charset.name());
                assertEquals(List.of(second), SseEvents.ids(client.body()),
                        charset.name());
            }
        }
    }

    @Test
    void aReaderThatStopsReadingEndsWriteStalledWithinTheDispatchTimeout() throws IOException {
        StalledReaders.stopReadingUntilWriteStalled(container, hub, expectedWatch(), report);
    }
}
