package io.lifeline.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Sockets;
import io.lifeline.testing.Tokens;
import io.lifeline.watch.jetty.JettyHttp1Watch;
import io.lifeline.watch.tomcat.TomcatNioWatch;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Readers that never read, in a WAR: the kernel holds at most {@code LIFELINE_UNSENT_BYTES} (64 KiB) unsent for
 * each, so their writes stop finishing and they end {@code write-stalled} within the dispatch timeout plus one
 * heartbeat of the last publish, while a reader that keeps up goes on. With the JVM flag the bound is
 * {@code TCP_NOTSENT_LOWAT}; without it, the documented fallback, {@code SO_SNDBUF}, which counts bytes in flight
 * too. The start-up line names the one in force.
 */
class NonReadersIT {

    private static final int READERS = 10;
    private static final int UPDATES = 40;
    private static final Duration WITHIN = Duration.ofMillis(1000 + 2000 + 500);
    private static final DepartureReport REPORT = new DepartureReport("Stock containers, HTTP/1.1, " + READERS
            + " readers that never read (4 KiB receive buffer), " + UPDATES + " updates of 8 KB, dispatch timeout 1 s, "
            + "heartbeat 2 s; time from the last publish until the last end shows in /metrics");

    @AfterAll
    static void writeReport() throws IOException {
        REPORT.write("containers-non-readers");
    }

    @ParameterizedTest(name = "{0}, JVM flag {1}")
    @CsvSource({"jetty-home ee10, true", "jetty-home ee10, false", "tomcat 11, true", "tomcat 11, false"})
    void readersThatNeverReadEndWriteStalledWithinTheDispatchTimeoutPlusAHeartbeat(String which, boolean flag,
            @TempDir Path dir) throws IOException {
        Path base = Files.createDirectories(dir.resolve("base"));
        Container container = which.startsWith("jetty") ? new JettyHome("ee10", base)
                : new Tomcat("lifeline.it.tomcat11", base);
        String watch = which.startsWith("jetty") ? JettyHttp1Watch.KIND : TomcatNioWatch.KIND;
        if (flag) {
            container.withJvmArgs(Container.exportsFlag());
        }
        Map<String, String> settings = new HashMap<>(ContainerMatrix.SETTINGS);
        settings.put("LIFELINE_HEARTBEAT", "2s");
        settings.put("LIFELINE_QUEUE_BYTES", "4MiB");
        settings.put("LIFELINE_SUBSCRIPTION_EVENTS", "false");
        String topic = "https://example.com/containers/never-read/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        List<RawSseClient> clients = new ArrayList<>();
        try (Container running = container.start(settings);
             ExternalHub hub = new ExternalHub(running);
             Http http = new Http();
             RawSseClient healthy = running.openClient(running.port, path, 0)) {
            String option = flag ? "(TCP_NOTSENT_LOWAT)" : "(SO_SNDBUF";
            Poll.until(Duration.ofSeconds(5), "the start-up line names the bound, " + option,
                    () -> running.output().contains("plus 64 KiB unsent in the kernel " + option));
            healthy.awaitBody(":\n\n", Duration.ofSeconds(10));
            for (int i = 0; i < READERS; i++) {
                clients.add(running.openClient(running.port, path, 4096));
            }
            for (RawSseClient client : clients) {
                client.awaitBody(":\n\n", Duration.ofSeconds(10));
            }
            Poll.until(Duration.ofSeconds(5), READERS + 1 + " subscribers",
                    () -> hub.subscriptionsOf(topic).size() == READERS + 1);
            String stalled = EndReason.WRITE_STALLED.label();
            long before = hub.ended(stalled, watch);
            String data = "n".repeat(8_000);
            for (int i = 0; i < UPDATES; i++) {
                assertEquals(200, http.publish(running.uri("/.well-known/mercure"),
                        Tokens.publisher(ExternalHub.KEY, "*"), "topic", topic, "id", "u" + i, "data", data)
                        .status());
                healthy.awaitBody("id: u" + i + "\n", Duration.ofSeconds(5));
            }
            long publishedAt = System.nanoTime();
            long mostHeld = 0;
            for (RawSseClient client : clients) {
                mostHeld = Math.max(mostHeld, Sockets.sendQueue(running.port, client.localPort()));
            }
            Poll.until(Deadline.after(publishedAt, WITHIN).left(), READERS + " write-stalled ends by " + watch
                    + " in /metrics", () -> hub.ended(stalled, watch) - before == READERS);
            REPORT.add(which + (flag ? ", with the JVM flag (TCP_NOTSENT_LOWAT)" : ", without it (SO_SNDBUF)"),
                    "unfinished write", stalled, (System.nanoTime() - publishedAt) / 1000);
            // 320 KB each went to them; the kernel took no more than the bound and a segment (or, with SO_SNDBUF,
            // the doubled buffer) before the writes stopped.
            assertTrue(mostHeld < 200 * 1024, "the kernel held " + mostHeld + " bytes for one reader");
            for (RawSseClient client : clients) {
                Poll.until(Duration.ofSeconds(2), "the kernel holds nothing for the reader on port "
                        + client.localPort() + ": aborted with an RST",
                        () -> Sockets.serverSide(running.port, client.localPort()).isEmpty());
            }
            assertEquals(1, hub.subscriptionsOf(topic).size(), "the reader that keeps up goes on");
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
        }
    }
}
