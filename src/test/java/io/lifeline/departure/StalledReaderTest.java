package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.hub.Hub;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Deadline;
import io.lifeline.testing.DepartureReport;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.LogCapture;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.Sockets;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading (its receive window stays shut) must not hold the hub: it ends {@code write-stalled},
 * while a healthy subscriber of the same topic and the publisher carry on at full speed.
 */
class StalledReaderTest {

    private static final Duration DISPATCH_TIMEOUT = Duration.ofSeconds(1);
    private static final int UPDATES = 64;
    private static final String DATA = "x".repeat(64 * 1024);
    private static final DepartureReport REPORT = new DepartureReport(
            "Embedded Jetty 12.1, stalled reader (4 KiB receive buffer, 64 updates of 64 KiB); time from the last "
            + "publish (0 when it ended before)");

    @AfterAll
    static void writeReport() throws IOException {
        REPORT.write("embedded-stalled-reader");
    }

    @Test
    void aReaderThatStopsReadingEndsWriteStalledWithinTheDispatchTimeoutWhileOthersStayFast() throws IOException {
        // The queue holds everything, so only the unfinished write can end the stalled reader.
        try (TestServer server = TestServer.start(Map.of(Setting.DISPATCH_TIMEOUT, "1s",
                Setting.QUEUE_BYTES, "64MiB", Setting.HEARTBEAT, "30s"))) {
            stall(server, "stalled reader, dispatch timeout 1 s", "unfinished write", EndReason.WRITE_STALLED,
                    DISPATCH_TIMEOUT.plusSeconds(1));
        }
    }

    @Test
    void aReaderWhoseQueueOverflowsEndsWriteStalledAtOnce() throws IOException {
        // The dispatch timeout is long, so only the overflowing queue can end the stalled reader.
        try (TestServer server = TestServer.start(Map.of(Setting.DISPATCH_TIMEOUT, "60s",
                Setting.QUEUE_BYTES, "512KiB", Setting.HEARTBEAT, "30s"))) {
            stall(server, "stalled reader, queue of 512 KiB", "queue overflow", EndReason.WRITE_STALLED,
                    Duration.ofSeconds(1));
        }
    }

    /**
     * Many readers overflowing on the same updates cost the publisher nothing: each overflow only marks its
     * subscriber, which then ends on a writer thread, never on the publisher's.
     */
    @Test
    void twoHundredReadersOverflowingTogetherNeverSlowAPublishNorEndOnThePublishersThread() throws IOException {
        int readers = 200;
        String topic = "https://example.com/overflow/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        String data = "x".repeat(10 * 1024);
        List<RawSseClient> clients = new ArrayList<>();
        try (TestServer server = TestServer.start(Map.of(Setting.QUEUE_BYTES, "256KiB",
                Setting.DISPATCH_TIMEOUT, "60s", Setting.HEARTBEAT, "30s", Setting.SUBSCRIPTION_EVENTS, "false"));
             Http http = new Http();
             LogCapture ends = LogCapture.of(Hub.END_LOG)) {
            for (int i = 0; i < readers; i++) {
                clients.add(RawSseClient.open(server.port(), path, 4096));
            }
            Poll.until(Duration.ofSeconds(10), readers + " subscribers",
                    () -> server.hub().subscribers().size() == readers);

            long slowestPublishNanos = 0;
            int published = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (server.hub().metrics().ended(EndReason.WRITE_STALLED) < readers && System.nanoTime() < deadline
                    && published < 2000) {
                long start = System.nanoTime();
                Http.Response r = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "data", data);
                slowestPublishNanos = Math.max(slowestPublishNanos, System.nanoTime() - start);
                assertEquals(200, r.status(), r.body());
                published++;
            }
            Poll.until(Duration.ofSeconds(5), "every reader ended write-stalled",
                    () -> server.hub().metrics().ended(EndReason.WRITE_STALLED) == readers);
            System.out.println(readers + " overflowing readers: " + published + " publishes, the slowest "
                    + slowestPublishNanos / 1_000_000 + " ms");
            // A publisher held up by a stalled reader would wait for the 60 s dispatch timeout; anything well below
            // it means none was (how fast a publish is belongs to the benchmarks, not to this test).
            assertTrue(slowestPublishNanos < Duration.ofSeconds(10).toNanos(), "over " + published
                    + " publishes, the slowest took " + slowestPublishNanos / 1_000_000 + " ms");
            Poll.until(Duration.ofSeconds(2), "every end logged",
                    () -> ends.linesWith("reason=write-stalled").size() == readers);
            List<String> threads = ends.threadsOfLinesWith("reason=write-stalled");
            assertTrue(threads.stream().allMatch(name -> name.startsWith("lifeline-writer-")),
                    "ended on: " + threads.stream().distinct().toList());
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
        }
    }

    private void stall(TestServer server, String name, String how, EndReason expected, Duration within)
            throws IOException {
        String topic = "https://example.com/stall/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        try (Http http = new Http();
             RawSseClient stalled = RawSseClient.open(server.port(), path, 4096);
             RawSseClient healthy = RawSseClient.open(server.port(), path)) {
            stalled.awaitBody(":\n\n", Duration.ofSeconds(5));
            healthy.awaitBody(":\n\n", Duration.ofSeconds(5));
            Poll.until(Duration.ofSeconds(5), "both subscribers registered",
                    () -> server.hub().subscribers().stream().filter(s -> s.topics().contains(topic)).count() == 2);
            Subscriber stalledSubscriber = server.hub().subscribers().stream()
                    .filter(s -> s.remote().endsWith(":" + stalled.localPort())).findFirst().orElseThrow();

            long slowestPublishNanos = 0;
            for (int i = 0; i < UPDATES; i++) {
                long start = System.nanoTime();
                Http.Response r = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "id", "update-" + i, "data", DATA);
                slowestPublishNanos = Math.max(slowestPublishNanos, System.nanoTime() - start);
                assertEquals(200, r.status(), r.body());
                healthy.awaitBody("id: update-" + i + "\n", Duration.ofSeconds(5));
            }
            long publishedAt = System.nanoTime();

            assertTrue(slowestPublishNanos < Duration.ofMillis(500).toNanos(),
                    "a publish waited " + slowestPublishNanos / 1_000_000 + " ms for a stalled subscriber");

            Deadline deadline = Deadline.after(publishedAt, within);
            Poll.until(deadline.left(), "the stalled reader ends", stalledSubscriber::isEnded);
            assertEquals(expected, stalledSubscriber.endReason());
            REPORT.add(name, how, expected.label(),
                    Math.max(0, stalledSubscriber.endedNanos() - publishedAt) / 1000);
            Poll.until(deadline.left(), "the stalled reader's connection is aborted",
                    () -> !server.hasConnectionFrom(stalled.localPort()));
            Poll.until(deadline.left(), "the kernel holds nothing for it: aborted with an RST, no FIN-WAIT",
                    () -> Sockets.serverSide(server.port(), stalled.localPort()).isEmpty());
            assertEquals(0, stalledSubscriber.queuedBytes());
            assertTrue(server.subscriberOf(topic).isPresent(), "the healthy subscriber goes on");
            Poll.until(Duration.ofSeconds(2), "no bytes left queued anywhere",
                    () -> server.hub().metrics().queuedBytesTotal() == 0);
        }
    }
}
