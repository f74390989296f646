package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two hundred readers that never read overflow their queues on the same updates as one reader that keeps up, while
 * a publisher publishes as fast as it can: ending the two hundred at once (on the hub's release thread) holds up
 * neither the writes to the healthy reader nor the publisher. The healthy reader gets every update, in every run, at
 * every queue bound.
 */
class OverflowIsolationTest {

    private static final int NON_READERS = 200;
    private static final int UPDATES = 1000;
    private static final int RUNS = 10;
    private static final String DATA = "o".repeat(10 * 1024);

    @ParameterizedTest(name = "queue bound {0}")
    @ValueSource(strings = {"64KiB", "256KiB", "4MiB"})
    void aHealthyReaderBesideTwoHundredOverflowingOnesGetsEveryUpdateAndNoPublishWaits(String queueBytes)
            throws Exception {
        try (TestServer server = TestServer.start(Map.of(Setting.QUEUE_BYTES, queueBytes,
                Setting.DISPATCH_TIMEOUT, "60s", Setting.HEARTBEAT, "30s"));
             Http http = new Http()) {
            long slowestNanos = 0;
            for (int run = 0; run < RUNS; run++) {
                slowestNanos = Math.max(slowestNanos, run(server, http, queueBytes, run));
            }
            System.out.println("queue " + queueBytes + ": " + RUNS + " runs of " + UPDATES + " updates beside "
                    + NON_READERS + " overflowing readers, the slowest publish " + slowestNanos / 1_000_000 + " ms");
        }
    }

    /** One run; returns the slowest publish's time. */
    private long run(TestServer server, Http http, String queueBytes, int run) throws Exception {
        String topic = "https://example.com/isolation/" + UUID.randomUUID();
        String path = "/.well-known/mercure?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        List<RawSseClient> nonReaders = new ArrayList<>();
        long endedBefore = server.hub().metrics().ended(EndReason.WRITE_STALLED);
        RawSseClient healthy = RawSseClient.open(server.port(), path);
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            try {
                while (reading.get() && !healthy.isEof()) {
                    healthy.readUpTo(64 * 1024, Duration.ofMillis(50));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "healthy-reader");
        try {
            healthy.awaitBody(":\n\n", Duration.ofSeconds(5));
            for (int i = 0; i < NON_READERS; i++) {
                nonReaders.add(RawSseClient.open(server.port(), path, 4096));
            }
            Poll.until(Duration.ofSeconds(10), NON_READERS + 1 + " subscribers of the run's topic",
                    () -> server.hub().subscribers().stream().filter(s -> s.topics().contains(topic)).count()
                            == NON_READERS + 1);
            reader.start();
            long slowest = 0;
            for (int i = 0; i < UPDATES; i++) {
                long start = System.nanoTime();
                Http.Response r = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "id", "u" + i, "data", DATA);
                slowest = Math.max(slowest, System.nanoTime() - start);
                assertEquals(200, r.status(), r.body());
            }
            Poll.until(Duration.ofSeconds(10), "the healthy reader has every update (queue " + queueBytes + ", run "
                    + run + ")", () -> healthy.body().contains("id: u" + (UPDATES - 1) + "\n") || healthy.isEof());
            reading.set(false);
            reader.join(5000);
            String body = healthy.body();
            int received = 0;
            for (int i = 0; i < UPDATES; i++) {
                if (body.contains("id: u" + i + "\n")) {
                    received++;
                }
            }
            assertEquals(UPDATES, received, "updates the healthy reader received (queue " + queueBytes + ", run "
                    + run + "); its stream " + (healthy.isEof() ? "ended" : "is open") + "; ends: "
                    + server.hub().metrics().ended(EndReason.WRITE_STALLED) + " write-stalled");
            assertTrue(server.subscriberOf(topic).isPresent(), "the healthy reader is still connected");
            Poll.until(Duration.ofSeconds(10), "the readers that never read ended write-stalled",
                    () -> server.hub().metrics().ended(EndReason.WRITE_STALLED) - endedBefore == NON_READERS);
            assertTrue(slowest < Duration.ofMillis(500).toNanos(), "a publish took " + slowest / 1_000_000
                    + " ms (queue " + queueBytes + ", run " + run + ")");
            return slowest;
        } finally {
            reading.set(false);
            reader.join(5000);
            healthy.close();
            for (RawSseClient client : nonReaders) {
                client.close();
            }
        }
    }
}
