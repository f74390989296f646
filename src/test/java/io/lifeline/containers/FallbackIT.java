package io.lifeline.containers;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback, in a stock Tomcat 11 whose connector speaks TLS: no watch may read an encrypted socket, so nothing
 * sees a FIN. Heartbeats notice a reset; a FIN behind the half-closing proxy is noticed by nothing, and the maximum
 * lifetime is what bounds it, exactly as configured.
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
        String topic = topic();
        try (RawSseClient client = RawSseClient.openTls(proxy.port(), "/.well-known/mercure?topic=" + topic)) {
            client.awaitBody(":\n\n", Duration.ofSeconds(10));
            hub.awaitSubscriber(topic);
            long before = hub.ended(EndReason.MAX_LIFETIME.label(), NoWatch.KIND);
            long departedAt = System.nanoTime();
            client.fin();
            // The lifetime counts from the connection, so the end comes at most LIFETIME after the FIN.
            Poll.until(LIFETIME.plusSeconds(1), "max-lifetime in /metrics; output:\n" + tomcat.output(),
                    () -> hub.ended(EndReason.MAX_LIFETIME.label(), NoWatch.KIND) == before + 1);
            long took = System.nanoTime() - departedAt;
            report.add("proxy FIN (over TLS)", "maximum lifetime", EndReason.MAX_LIFETIME.label(), took / 1000);
            assertTrue(hub.subscriptionsOf(topic).isEmpty(), "still in the subscriptions API");
        }
    }

    @Test
    void aResetIsNoticedByHeartbeats() throws IOException {
        String topic = topic();
        RawSseClient client = RawSseClient.openTls(tomcat.port, "/.well-known/mercure?topic=" + topic);
        client.awaitBody(":\n\n", Duration.ofSeconds(10));
        hub.awaitSubscriber(topic);
        long before = hub.ended(EndReason.WRITE_FAILED.label(), NoWatch.KIND);
        long departedAt = System.nanoTime();
        client.reset();
        Poll.until(Duration.ofSeconds(3), "write-failed in /metrics",
                () -> hub.ended(EndReason.WRITE_FAILED.label(), NoWatch.KIND) == before + 1);
        report.add("direct RST (over TLS)", "heartbeat", EndReason.WRITE_FAILED.label(),
                (System.nanoTime() - departedAt) / 1000);
    }

    private static String topic() {
        return "https://example.com/fallback/" + UUID.randomUUID();
    }
}
