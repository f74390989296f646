package io.lifeline.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.PrometheusText;
import io.lifeline.testing.RawHttp;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The embedded program's limits against slow and greedy clients: a deadline for a request's headers and for a
 * publish's body, a cap on connections, and caps on subscribers in total and per client address. Subscribers over a
 * cap are sent away in the form an EventSource comes back from; every refusal is counted in {@code /metrics}.
 */
class SlowAndGreedyClientsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aConnectionTricklingItsHeadersIsClosedAtTheHeaderDeadlineWhileAStreamOutlivesIt() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.HEADER_TIMEOUT, "1s"));
             Http http = new Http();
             RawSseClient subscriber = RawSseClient.open(server.port(), "/.well-known/mercure?topic=long-lived");
             Socket slow = new Socket()) {
            subscriber.awaitBody(":\n\n", WAIT);
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            long opened = System.nanoTime();
            assertTrue(trickleUntilClosed(slow, "GET /.well-known/mercure?topic=slow HTTP/1.1\r\nX-Slow: ",
                    Duration.ofSeconds(4)), "the trickling connection is still open");
            long closedAfter = (System.nanoTime() - opened) / 1_000_000;
            assertTrue(closedAfter >= 900 && closedAfter < 2500, "closed after " + closedAfter + " ms");
            assertEquals(1, refused(server, "header-timeout"));

            Poll.until(WAIT, "the stream has outlived the deadline", () -> server.awaitSubscriber("long-lived")
                    .age().compareTo(Duration.ofMillis(1500)) > 0);
            assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", "long-lived", "id", "still-here").status());
            subscriber.awaitBody("id: still-here\n", WAIT);
        }
    }

    @Test
    void aPublishWhoseBodyTricklesIs408AtTheBodyDeadlineAndItsConnectionClosed() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.BODY_TIMEOUT, "1s"));
             Socket publisher = new Socket()) {
            publisher.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            publisher.setSoTimeout(5000);
            OutputStream out = publisher.getOutputStream();
            out.write(("POST /.well-known/mercure HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + server.publisherToken() + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 100\r\n\r\ntopic=t&data=").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long sent = System.nanoTime();
            String answer = new String(publisher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long answeredAfter = (System.nanoTime() - sent) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("did not arrive within 1000 ms"), answer);
            assertTrue(answeredAfter >= 900 && answeredAfter < 3000, "answered after " + answeredAfter + " ms");
            assertEquals(1, refused(server, "body-timeout"));
        }
    }

    @Test
    void subscribersOverTheCapAreSentAwayForLaterAndCountedAndTheirPlaceIsFreedWhenOneEnds() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.MAX_SUBSCRIBERS, "2"))) {
            RawSseClient first = RawSseClient.open(server.port(), "/.well-known/mercure?topic=a");
            RawSseClient second = RawSseClient.open(server.port(), "/.well-known/mercure?topic=b");
            first.awaitBody(":\n\n", WAIT);
            second.awaitBody(":\n\n", WAIT);
            try (RawSseClient third = RawSseClient.open(server.port(), "/.well-known/mercure?topic=c")) {
                assertEquals(200, third.awaitHead(WAIT), "an EventSource is never given a status it gives up on");
                assertTrue(third.awaitEof(WAIT), "the stream ends at once");
                SseEvents.Event hint = SseEvents.parse(third.body()).get(0);
                assertTrue(hint.retry() != null && hint.id().startsWith("urn:lifeline:position:"), third.body());
                assertTrue(third.body().contains("LIFELINE_MAX_SUBSCRIBERS=2"), third.body());
            }
            Http.Response plain = RawHttp.exchange("127.0.0.1", server.port(), false,
                    "GET /.well-known/mercure?topic=c HTTP/1.1"); // no Accept: text/event-stream
            assertEquals(503, plain.status());
            assertTrue(plain.header("Retry-After") != null, plain.headers().toString());
            assertEquals(2, refused(server, "subscribers-limit"));

            first.close();
            // Its place is given back last in its release, after its end line: until then a newcomer is sent away
            // for later, and comes back as an EventSource would.
            try (RawSseClient again = Poll.forValue(WAIT, "a newcomer admitted in the first subscriber's place",
                    () -> admittedOrNull(server.port(), "/.well-known/mercure?topic=c"))) {
                assertFalse(again.isEof());
                server.awaitSubscriber("c");
            }
            second.close();
        }
    }

    @Test
    void subscribersPerAddressCountTheClientBehindATrustedProxyAndAnIpv6ClientByItsSlash64() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.MAX_SUBSCRIBERS_PER_ADDRESS, "1",
                Setting.TRUSTED_PROXIES, "127.0.0.0/8"))) {
            List<RawSseClient> clients = new ArrayList<>();
            try {
                assertTrue(admitted(server, clients, "X-Forwarded-For: 192.0.2.1"));
                assertFalse(admitted(server, clients, "X-Forwarded-For: 192.0.2.1"), "a second from one address");
                assertTrue(admitted(server, clients, "X-Forwarded-For: 192.0.2.1, 192.0.2.2"),
                        "the nearest untrusted hop is the client");
                assertTrue(admitted(server, clients, "Forwarded: for=\"[2001:db8:1:1::1]:4711\""));
                assertFalse(admitted(server, clients, "Forwarded: for=\"[2001:db8:1:1::2]\""), "the same /64");
                assertTrue(admitted(server, clients, "Forwarded: for=\"[2001:db8:1:2::1]\""), "another /64");
                assertEquals(2, refused(server, "address-limit"));
            } finally {
                for (RawSseClient client : clients) {
                    client.close();
                }
            }
        }
        try (TestServer server = TestServer.start(Map.of(Setting.MAX_SUBSCRIBERS_PER_ADDRESS, "1"))) {
            List<RawSseClient> clients = new ArrayList<>();
            try {
                assertTrue(admitted(server, clients, "X-Forwarded-For: 192.0.2.1"));
                assertFalse(admitted(server, clients, "X-Forwarded-For: 192.0.2.9"),
                        "without trusted proxies, forwarding headers are not believed: both come from 127.0.0.1");
            } finally {
                for (RawSseClient client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void overTheConnectionCapANewConnectionWaitsUntilTheHeaderDeadlineFreesAPlace() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.MAX_CONNECTIONS, "3",
                Setting.HEADER_TIMEOUT, "1s"))) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                    idle.add(s);
                }
                long start = System.nanoTime();
                try (RawSseClient late = RawSseClient.open(server.port(), "/.well-known/mercure?topic=late")) {
                    late.awaitBody(":\n\n", WAIT);
                    long waited = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(waited >= 500, "served after " + waited + " ms, before any place was free");
                }
                assertEquals(3, refused(server, "header-timeout"));
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
    }

    /** Opens a subscriber with this header line; true if it was taken, false if sent away. */
    private static boolean admitted(TestServer server, List<RawSseClient> clients, String header)
            throws IOException {
        RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=per-address", header);
        clients.add(client);
        client.awaitBody("id: urn:lifeline:position:", WAIT);
        return !client.awaitEof(Duration.ofMillis(300));
    }

    /** Sends {@code head} a byte every 100 ms until the server closes; true if it did within {@code within}. */
    private static boolean trickleUntilClosed(Socket socket, String head, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        socket.setSoTimeout(100);
        byte[] bytes = (head + "x".repeat(1000)).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; System.nanoTime() < deadline; i++) {
            try {
                out.write(bytes[i % bytes.length]);
                out.flush();
                if (in.read() < 0) {
                    return true;
                }
            } catch (SocketTimeoutException stillOpen) {
                // nothing from the server yet: go on trickling
            } catch (SocketException closed) {
                return true;
            }
        }
        return false;
    }

    /** A stream that was admitted (its cursor comes without the refusal's reason), or null once it was sent away. */
    private static RawSseClient admittedOrNull(int port, String pathAndQuery) {
        try {
            RawSseClient client = RawSseClient.open(port, pathAndQuery);
            client.awaitBody("id: urn:lifeline:position:", WAIT);
            if (!client.body().contains("LIFELINE_MAX_SUBSCRIBERS")) {
                return client;
            }
            client.close();
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long refused(TestServer server, String reason) {
        return (long) PrometheusText.find(server.hub().metrics().scrape(),
                "lifeline_requests_refused_total{reason=\"" + reason + "\"}").orElse(0);
    }
}
