package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Child;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.H2Client;
import io.lifeline.testing.NetworkNamespace;
import io.lifeline.testing.Poll;
import io.lifeline.testing.Sockets;
import io.lifeline.testing.SseReaderProcess;
import io.lifeline.testing.TestServer;
import io.lifeline.watch.NoWatch;
import io.lifeline.watch.jetty.JettyHttp1Watch;
import io.lifeline.watch.jetty.JettyHttp2Watch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that vanishes without a FIN or an RST: a client host of the test's own (a network namespace) loses its
 * address after the stream's first heartbeat, so no packet ever comes back from it and none reaches it. Only the
 * kernel can tell, once the heartbeat it sent has stayed unacknowledged past the TCP user timeout: the subscriber
 * then ends {@code client-timeout}, from the {@code ETIMEDOUT} itself, within one heartbeat plus the user timeout
 * plus one second where a departure watch hears of it (HTTP/1.1 and HTTP/2), and within two heartbeats plus the user
 * timeout plus one second where only heartbeat writes can.
 */
class VanishedClientTest {

    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration USER_TIMEOUT = Duration.ofSeconds(2);
    private static final Map<Setting, String> SETTINGS = Map.of(Setting.HEARTBEAT, "1s",
            Setting.DISPATCH_TIMEOUT, "2s", Setting.TCP_USER_TIMEOUT, "2s");
    private static final DepartureReport REPORT = new DepartureReport("Embedded Jetty 12.1, a client "
            + "whose host vanishes (its address removed after the first heartbeat), heartbeat 1 s, "
            + "LIFELINE_TCP_USER_TIMEOUT=2s; time from the address's removal");

    @BeforeAll
    static void namespacesAreAvailable() {
        NetworkNamespace.requireAvailable();
    }

    @AfterAll
    static void writeReport() throws IOException {
        REPORT.write("embedded-vanished-client");
    }

    @Test
    void aClientWhoseHostVanishesEndsClientTimeoutWithinAHeartbeatPlusTheUserTimeoutPlusOneSecond()
            throws IOException {
        for (int round = 0; round < 3; round++) {
            vanish(Map.of(), JettyHttp1Watch.KIND, HEARTBEAT.plus(USER_TIMEOUT).plusSeconds(1));
        }
    }

    @Test
    void withoutAWatchAHeartbeatWriteHearsTheTimeoutWithinTwoHeartbeatsPlusTheUserTimeout() throws IOException {
        vanish(Map.of(Setting.WATCH, "none"), NoWatch.KIND, HEARTBEAT.multipliedBy(2).plus(USER_TIMEOUT)
                .plusSeconds(1));
    }

    @Test
    void anHttp2ClientWhoseHostVanishesEndsClientTimeoutToo() throws IOException {
        vanish(Map.of(), JettyHttp2Watch.KIND, HEARTBEAT.plus(USER_TIMEOUT).plusSeconds(1));
    }

    private void vanish(Map<Setting, String> extra, String watch, Duration bound) throws IOException {
        String topic = "https://example.com/vanished/" + UUID.randomUUID();
        try (NetworkNamespace host = NetworkNamespace.create()) {
            Map<Setting, String> settings = new EnumMap<>(Setting.class);
            settings.putAll(SETTINGS);
            settings.putAll(extra);
            settings.put(Setting.HOST, host.hostAddress());
            try (TestServer server = TestServer.start(settings);
                 Child client = host.start("vanishing-client", watch.equals(JettyHttp2Watch.KIND)
                         ? List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                                 System.getProperty("java.class.path"), H2Client.class.getName(), host.hostAddress(),
                                 Integer.toString(server.port()), "/.well-known/mercure?topic=" + topic)
                         : SseReaderProcess.command(host.hostAddress(), server.port(),
                                 "/.well-known/mercure?topic=" + topic, false))) {
                client.await(Duration.ofSeconds(10), "the response head", "HEAD 200"::equals);
                Subscriber subscriber = server.awaitSubscriber(topic);
                assertEquals(watch, subscriber.watchKind());
                Poll.until(Duration.ofSeconds(5), "a heartbeat after the opening comment; the client printed:\n"
                        + client.output(), () -> client.lines().stream().filter("COMMENT"::equals).count() >= 2);

                long vanished = System.nanoTime();
                host.removeClientAddress();
                Deadline deadline = Deadline.after(vanished, bound);
                Poll.until(deadline.left(), "the vanished client's subscriber ends", subscriber::isEnded);
                assertEquals(EndReason.CLIENT_TIMEOUT, subscriber.endReason());
                REPORT.add("vanished client, " + (watch.equals(JettyHttp2Watch.KIND) ? "h2c" : "HTTP/1.1") + ", watch "
                        + watch, watch.equals(NoWatch.KIND)
                        ? "heartbeat write (ETIMEDOUT)" : "departure watch (ETIMEDOUT)",
                        EndReason.CLIENT_TIMEOUT.label(), (subscriber.endedNanos() - vanished) / 1000);
                Poll.until(Duration.ofSeconds(1), "released", () -> server.hub().subscriber(subscriber.id())
                        .isEmpty() && !server.hub().isIndexed(subscriber));
                int clientPort = Integer.parseInt(subscriber.remote().substring(subscriber.remote()
                        .lastIndexOf(':') + 1));
                Poll.until(Duration.ofSeconds(1), "the connection is gone from Jetty",
                        () -> !server.hasConnectionFrom(clientPort));
                Poll.until(Duration.ofSeconds(1), "and from the kernel",
                        () -> Sockets.serverSide(server.port(), clientPort).isEmpty());
            }
        }
    }
}
