package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.hub.Hub;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.LogCapture;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

/** {@code end()} is the single door out: however many threads race through it, one wins and one end is recorded. */
class EndRaceTest {

    private static final int THREADS = 16;

    private static TestServer server;
    private static ExecutorService threads;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        threads = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void stop() {
        threads.shutdownNow();
        server.close();
    }

    @RepeatedTest(20)
    void endRacedFromManyThreadsLogsOnceCountsOnceAndKeepsTheFirstReason() throws Exception {
        String topic = "https://example.com/race/" + UUID.randomUUID();
        try (LogCapture log = LogCapture.of(Hub.END_LOG);
             RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + topic)) {
            client.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber subscriber = server.awaitSubscriber(topic);
            long endedBefore = server.hub().metrics().endedTotal();

            CyclicBarrier start = new CyclicBarrier(THREADS);
            EndReason[] reasons = EndReason.values();
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                EndReason reason = reasons[i % reasons.length];
                results.add(threads.submit(() -> {
                    start.await();
                    return subscriber.end(reason);
                }));
            }
            int winners = 0;
            for (Future<Boolean> result : results) {
                winners += result.get() ? 1 : 0;
            }

            assertEquals(1, winners, "callers that ended the subscriber");
            Poll.until(Duration.ofSeconds(2), "the end is logged",
                    () -> !log.linesWith(subscriber.id() + " ended").isEmpty());
            Poll.until(Duration.ofSeconds(2), "the end is counted",
                    () -> server.hub().metrics().endedTotal() == endedBefore + 1);
            assertEquals(1, log.linesWith(subscriber.id() + " started").size(), "start lines for the subscriber");
            assertEquals(1, log.linesWith(subscriber.id() + " ended").size(), "end lines for the subscriber");
            String line = log.linesWith(subscriber.id() + " ended").get(0);
            assertEquals(true, line.startsWith("INFO ") && line.contains("reason=" + subscriber.endReason().label()),
                    line);
            // Late callers change nothing.
            assertEquals(false, subscriber.end(EndReason.CLIENT_CLOSED));
            assertEquals(endedBefore + 1, server.hub().metrics().endedTotal());
            assertEquals(1, log.linesWith(subscriber.id() + " ended").size());
        }
    }
}
