package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.HalfClosingProxy;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Tls;
import io.lifeline.watch.NoWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback, in a stock Tomcat 11 whose connector speaks TLS: no watch may read an encrypted socket, so nothing
 * sees a FIN. Heartbeats notice a reset or a close; a FIN, direct or behind the half-closing proxy, is noticed by
 * nothing, and the maximum lifetime is what bounds it, exactly as configured. A stalled reader ends as anywhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FallbackIT {

    private static final Duration LIFETIME = Duration.ofSeconds(3);

    private Container tomcat;
    private ExternalHub hub;
    private HalfClosingProxy proxy;
    private final DepartureReport report = new DepartureReport(
            "Stock Tomcat 11, TLS connector: no departure watch (`none`), heartbeat 1 s, LIFELINE_MAX_LIFETIME=3s");

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        tomcat = new Tomcat("lifeline.it.tomcat11", Files.createDirectories(dir.resolve("base")), Tls.keystore(keys),
                Tls.PASSWORD);
        Map<String, String> settings = new HashMap<>(ContainerMatrix.SETTINGS);
        settings.put("LIFELINE_HEARTBEAT", "1s");
        settings.put("LIFELINE_MAX_LIFETIME", LIFETIME.toSeconds() + "s");
        tomcat.start(settings);
        hub = new ExternalHub(tomcat);
        proxy = new HalfClosingProxy(tomcat.port);
    }

    @AfterAll
    void stop() throws IOException {
        try {
            report.write("tomcat-11-tls-fallback");
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (hub != null) {
                hub.close();
            }
            if (tomcat != null) {
                tomcat.close();
            }
        }
    }

    @Test
    void aFinBehindTheHalfClosingProxyIsBoundedByTheMaximumLifetime() throws IOException {
        // The lifetime counts from the connection, so the end comes at most LIFETIME after the FIN.
        depart("proxy FIN (over TLS)", proxy.port(), RawSseClient::fin, "maximum lifetime", EndReason.MAX_LIFETIME,
                LIFETIME.plusSeconds(1));
    }

    /**
     * Read from the log: here every stream, the live view's too, lives at most the 3 s maximum lifetime, shorter than
     * the demonstration.
     */
    @Test
    void theF5DemonstrationShowsTheLeakAndNeverSaysNoticed() {
        hub.startDemonstration();
        Pattern outcome = Pattern.compile("\"step\":\"(not-noticed|ended)\"");
        Poll.until(Duration.ofSeconds(10), "the demonstration's outcome is logged",
                () -> outcome.matcher(tomcat.output()).find());
        String log = tomcat.output();
        assertTrue(log.contains("\"step\":\"connected\"") && log.contains("\"watch\":\"" + NoWatch.KIND + "\""),
                log);
        assertFalse(log.contains("\"step\":\"noticed\""), "the hub claimed to notice what it could not see");
        if (!log.contains("\"step\":\"ended\"")) {
            assertTrue(log.contains("\"bound\":\"the maximum lifetime"), log);
        }
        // Its subscriber ends before the next test counts ends: by the maximum lifetime, or by the demonstration.
        Poll.until(Duration.ofSeconds(12), "the demonstration is over",
                () -> tomcat.output().contains("\"step\":\"ended\"") || tomcat.output().contains("\"step\":\"over\""));
        String over = tomcat.output();
        assertFalse(over.contains("\"step\":\"noticed\""), over);
        assertTrue(over.contains("\"step\":\"over\"") || over.contains("\"reason\":\"max-lifetime\""), over);
    }

    @Test
    void aDirectFinIsBoundedByTheMaximumLifetime() throws IOException {
        depart("direct FIN (over TLS)", tomcat.port, RawSseClient::fin, "maximum lifetime", EndReason.MAX_LIFETIME,
                LIFETIME.plusSeconds(1));
    }

    @Test
    void aResetIsNoticedByHeartbeats() throws IOException {
        depart("direct RST (over TLS)", tomcat.port, RawSseClient::reset, "heartbeat", EndReason.WRITE_FAILED,
                Duration.ofSeconds(3));
    }

    @Test
    void aCloseIsNoticedByHeartbeats() throws IOException {
        // The first heartbeat after the close draws the client's RST, the next one fails.
        depart("direct CLOSE (over TLS)", tomcat.port, client -> {
            client.drain();
            client.close();
        }, "heartbeat", EndReason.WRITE_FAILED, Duration.ofSeconds(4));
    }

    @Test
    void aReaderThatStopsReadingEndsWriteStalledWithinTheDispatchTimeout() throws IOException {
        StalledReaders.stopReadingUntilWriteStalled(tomcat, hub, NoWatch.KIND, report);
    }

    private interface Departure {
        void depart(RawSseClient client) throws IOException;
    }

    private void depart(String name, int port, Departure departure, String noticedBy, EndReason expected,
                        Duration within) throws IOException {
        String topic = topic();
        try (RawSseClient client = tomcat.openClient(port, "/.well-known/mercure?topic=" + topic, 0)) {
            client.awaitBody(":\n\n", Duration.ofSeconds(10));
            hub.awaitSubscriber(topic);
            long before = hub.ended(expected.label(), NoWatch.KIND);
            long departedAt = System.nanoTime();
            departure.depart(client);
            Poll.until(within, expected.label() + " in /metrics; output:\n" + tomcat.output(),
                    () -> hub.ended(expected.label(), NoWatch.KIND) == before + 1);
            report.add(name, noticedBy, expected.label(), (System.nanoTime() - departedAt) / 1000);
            Poll.until(Duration.ofSeconds(2), "gone from the subscriptions API",
                    () -> hub.subscriptionsOf(topic).isEmpty());
        }
    }

    private static String topic() {
        return "https://example.com/fallback/" + UUID.randomUUID();
    }
}
