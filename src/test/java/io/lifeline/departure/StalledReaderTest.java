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
import io.lifeline.testing.Tls;
import java.io.IOException;
import java.nio.file.Path;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that stops reading (its receive window stays shut) must not hold the hub: it ends {@code write-stalled},
 * while a healthy subscriber of the same topic and the publisher carry on at full speed.
 */
class StalledReaderTest {

    private static final Duration DISPATCH_TIMEOUT = Duration.ofSeconds(1);
    private static final int UPDATES = 64;
    private static final String DATA = "x".repeat(64 * 1024);
    /** The queue holds everything the readers that never read are sent: only the kernel's bound can stop them. */
    private static final Map<Setting, String> NON_READERS = Map.of(Setting.DISPATCH_TIMEOUT, "1s",
            Setting.HEARTBEAT, "2s", Setting.SUBSCRIPTION_EVENTS, "false");
    /** The dispatch timeout plus one heartbeat, plus a tick of the timer and a poll. */
    private static final Duration NON_READERS_WITHIN = Duration.ofMillis(1000 + 2000 + 200);
    private static final DepartureReport REPORT = new DepartureReport(
            "Embedded Jetty 12.1, readers that stop reading (4 KiB receive buffer; 64 updates of 64 KiB where not "
            + "said otherwise); time from the last publish (0 when it ended before), for the slow reader from its "
            + "start");

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
     * subscriber, which then ends on the hub's release thread, never on the publisher's nor a writer's.
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
            assertTrue(threads.stream().allMatch(name -> name.startsWith("lifeline-release-")),
                    "ended on: " + threads.stream().distinct().toList());
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
        }
    }

    /**
     * Thirty readers that never read, each sent far more than the kernel's unsent bound ({@code
     * LIFELINE_UNSENT_BYTES}, 64 KiB) plus their own receive buffer and Jetty's response buffer, with a queue that
     * holds it all: the kernel takes no more than the bound, so their writes stop finishing and each ends
     * {@code write-stalled} within the dispatch timeout plus one heartbeat of the last publish (a tick of the timer
     * and a poll added), its connection aborted. A reader that keeps up, beside them, is never ended.
     */
    @Test
    void readersThatNeverReadEndWriteStalledWithinTheDispatchTimeoutPlusAHeartbeat() throws IOException {
        try (TestServer server = TestServer.start(NON_READERS)) {
            neverRead(server, false);
        }
    }

    @Test
    void readersThatNeverReadOverTlsEndWriteStalledTheSameWay(@TempDir Path keys) throws Exception {
        Map<Setting, String> settings = new EnumMap<>(NON_READERS);
        settings.put(Setting.TLS_KEYSTORE, Tls.keystore(keys).toString());
        settings.put(Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD);
        try (TestServer server = TestServer.start(settings)) {
            neverRead(server, true);
        }
    }

    /**
     * A reader that takes 1 KiB every 100 ms while 50 KB a second is published to it falls behind for good: it ends
     * {@code write-stalled}, a reason that says it did not take its bytes, never {@code client-timeout}, which would
     * say it vanished.
     */
    @Test
    void aSlowReaderEndsWriteStalledNeverClientTimeout() throws IOException {
        String topic = "https://example.com/slow/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        try (TestServer server = TestServer.start(Map.of(Setting.DISPATCH_TIMEOUT, "1s", Setting.QUEUE_BYTES,
                "256KiB", Setting.HEARTBEAT, "1s"));
             Http http = new Http();
             RawSseClient slow = RawSseClient.open(server.port(), path, 4096)) {
            slow.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber subscriber = server.awaitSubscriber(topic);
            String data = "s".repeat(10_000);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long nextPublish = System.nanoTime();
            while (!subscriber.isEnded() && System.nanoTime() < deadline) {
                if (System.nanoTime() >= nextPublish) {
                    assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                            "topic", topic, "data", data).status());
                    nextPublish += Duration.ofMillis(200).toNanos(); // 10 KB every 200 ms: 50 KB/s
                }
                slow.readUpTo(1024, Duration.ofMillis(100));
                sleepUntilTheNextRead();
            }
            assertTrue(subscriber.isEnded(), "the slow reader is still connected after 60 s");
            assertEquals(EndReason.WRITE_STALLED, subscriber.endReason());
            REPORT.add("slow reader (1 KiB every 100 ms, 50 KB/s published)", "unfinished write or queue overflow",
                    subscriber.endReason().label(), subscriber.age().toNanos() / 1000);
            Poll.until(Duration.ofSeconds(2), "the kernel holds nothing for it",
                    () -> Sockets.serverSide(server.port(), slow.localPort()).isEmpty());
        }
    }

    /**
     * A reader that stops reading while its stream is quiet: what it was sent fits within the unsent bound, so no
     * write stays unfinished, and only the kernel notices, when its probes of the reader's shut window have gone on
     * for the TCP user timeout. The reader answered every probe: it is there and stopped reading, so it ends
     * {@code write-stalled}, not {@code client-timeout}.
     */
    @Test
    void aReaderThatStopsOnAQuietStreamEndsWriteStalledWhenTheUserTimeoutFires() throws IOException {
        String topic = "https://example.com/quiet/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        try (TestServer server = TestServer.start(Map.of(Setting.DISPATCH_TIMEOUT, "1s", Setting.HEARTBEAT, "1s",
                Setting.TCP_USER_TIMEOUT, "2s"));
             Http http = new Http();
             RawSseClient stopped = RawSseClient.open(server.port(), path, 4096)) {
            stopped.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber subscriber = server.awaitSubscriber(topic);
            for (int i = 0; i < 2; i++) { // 16 KB: more than its window, less than the unsent bound
                assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "data", "q".repeat(8_000)).status());
            }
            long published = System.nanoTime();
            Deadline deadline = Deadline.after(published, Duration.ofSeconds(1 + 2 + 1 + 1));
            Poll.until(deadline.left(), "the stopped reader ends", subscriber::isEnded);
            assertEquals(EndReason.WRITE_STALLED, subscriber.endReason());
            REPORT.add("reader stopped on a quiet stream, TCP user timeout 2 s", "kernel's window probes answered",
                    subscriber.endReason().label(), (subscriber.endedNanos() - published) / 1000);
            Poll.until(Duration.ofSeconds(2), "the kernel holds nothing for it",
                    () -> Sockets.serverSide(server.port(), stopped.localPort()).isEmpty());
        }
    }

    private static void sleepUntilTheNextRead() {
        // the read above waited for bytes; this paces the reads to one per 100 ms when they came at once
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }

    private void neverRead(TestServer server, boolean tls) throws IOException {
        int readers = 30;
        int updates = 40;
        String data = "n".repeat(8_000);
        String topic = "https://example.com/never-read/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        List<RawSseClient> clients = new ArrayList<>();
        try (Http http = new Http();
             RawSseClient healthy = tls ? RawSseClient.openTls(server.port(), path)
                     : RawSseClient.open(server.port(), path)) {
            for (int i = 0; i < readers; i++) {
                clients.add(tls ? RawSseClient.openTls(server.port(), path, 4096)
                        : RawSseClient.open(server.port(), path, 4096));
            }
            Poll.until(Duration.ofSeconds(10), readers + 1 + " subscribers",
                    () -> server.hub().subscribers().size() == readers + 1);
            List<Subscriber> stalled = server.hub().subscribers().stream()
                    .filter(s -> !s.remote().endsWith(":" + healthy.localPort())).toList();
            for (int i = 0; i < updates; i++) {
                assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "id", "update-" + i, "data", data).status());
                healthy.awaitBody("id: update-" + i + "\n", Duration.ofSeconds(5));
            }
            long publishedAt = System.nanoTime();
            long mostHeld = 0;
            for (RawSseClient client : clients) {
                mostHeld = Math.max(mostHeld, Sockets.sendQueue(server.port(), client.localPort()));
            }
            Deadline deadline = Deadline.after(publishedAt, NON_READERS_WITHIN);
            Poll.until(deadline.left(), "every reader that never reads ends",
                    () -> stalled.stream().allMatch(Subscriber::isEnded));
            for (Subscriber subscriber : stalled) {
                assertEquals(EndReason.WRITE_STALLED, subscriber.endReason(), subscriber.toString());
            }
            stalled.stream().mapToLong(s -> s.endedNanos() - publishedAt).max().ifPresent(slowest ->
                    REPORT.add(readers + " readers that never read" + (tls ? ", TLS" : "") + ", dispatch timeout 1 s, "
                            + "heartbeat 2 s; the slowest", "unfinished write", EndReason.WRITE_STALLED.label(),
                            Math.max(0, slowest) / 1000));
            // Without the bound the kernel took all of it, 320 KB each (Linux grows a send buffer up to 4 MiB).
            assertTrue(mostHeld < 200 * 1024, "the kernel held " + mostHeld + " bytes for one reader");
            for (RawSseClient client : clients) {
                Poll.until(deadline.left(), "the kernel holds nothing for the reader on port " + client.localPort()
                        + ": aborted with an RST", () -> Sockets.serverSide(server.port(), client.localPort())
                        .isEmpty());
            }
            assertTrue(server.subscriberOf(topic).isPresent(), "the reader that keeps up goes on");
            assertEquals(0, server.hub().metrics().ended(EndReason.CLIENT_TIMEOUT));
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
