package io.lifeline.departure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.LogCapture;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A stopping hub ends every subscriber {@code server-shutdown}, completing each stream cleanly, spread over the
 * drain and each told when to reconnect.
 */
class ShutdownTest {

    @Test
    void stoppingTheServerEndsEverySubscriberServerShutdownWithACleanEndOfStream() throws IOException {
        TestServer server = TestServer.start(Map.of());
        List<RawSseClient> clients = new ArrayList<>();
        List<Subscriber> subscribers = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=shutdown-" + i);
                client.awaitBody(":\n\n", Duration.ofSeconds(5));
                clients.add(client);
                subscribers.add(server.awaitSubscriber("shutdown-" + i));
            }
        } finally {
            server.close();
        }
        for (Subscriber s : subscribers) {
            assertEquals(EndReason.SERVER_SHUTDOWN, s.endReason(), s.toString());
        }
        for (RawSseClient client : clients) {
            assertTrue(client.awaitEof(Duration.ofSeconds(5)), "the stream ends");
            assertTrue(client.completedCleanly(), "the stream ends with its last chunk, not an abort");
            client.close();
        }
    }

    @Test
    void theHubStoppedLineComesAfterEverySubscribersEndLine() throws IOException {
        int count = 10;
        TestServer server = TestServer.start(Map.of(Setting.DRAIN, "500ms"));
        List<RawSseClient> clients = new ArrayList<>();
        try (LogCapture log = LogCapture.of("io.lifeline")) {
            try {
                for (int i = 0; i < count; i++) {
                    RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=order-" + i);
                    client.awaitBody(":\n\n", Duration.ofSeconds(5));
                    clients.add(client);
                }
            } finally {
                server.close();
            }
            List<String> lines = log.linesWith("");
            int stopped = lines.indexOf(log.linesWith("hub stopped: drained " + count + " subscribers").get(0));
            List<String> ends = log.linesWith("ended reason=server-shutdown");
            assertEquals(count, ends.size(), String.join("\n", lines));
            for (String end : ends) {
                assertTrue(lines.indexOf(end) < stopped, "logged after the hub stopped: " + end);
            }
        } finally {
            for (RawSseClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void aShutdownSpreadsTheEndsOverTheDrainAndTellsEachClientWhenToReconnect() throws IOException {
        int count = 20;
        TestServer server = TestServer.start(Map.of(Setting.DRAIN, "2s"));
        List<RawSseClient> clients = new ArrayList<>();
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=drain-" + i);
            client.awaitBody(":\n\n", Duration.ofSeconds(5));
            clients.add(client);
            subscribers.add(server.awaitSubscriber("drain-" + i));
        }
        long stopping = System.nanoTime();
        server.close();
        long first = Long.MAX_VALUE;
        long last = 0;
        Set<String> retries = new HashSet<>();
        for (int i = 0; i < count; i++) {
            Subscriber s = subscribers.get(i);
            assertEquals(EndReason.SERVER_SHUTDOWN, s.endReason(), s.toString());
            first = Math.min(first, s.endedNanos() - stopping);
            last = Math.max(last, s.endedNanos() - stopping);
            RawSseClient client = clients.get(i);
            assertTrue(client.awaitEof(Duration.ofSeconds(5)));
            List<SseEvents.Event> events = SseEvents.parse(client.body());
            String retry = events.get(events.size() - 1).retry();
            assertTrue(events.get(events.size() - 1).id().startsWith("urn:lifeline:position:"),
                    "the last block also says where to resume: " + events.get(events.size() - 1));
            long millis = Long.parseLong(retry);
            assertTrue(millis >= 1000 && millis <= 3000, "retry " + retry);
            retries.add(retry);
            client.close();
        }
        assertTrue(last <= Duration.ofSeconds(3).toNanos(), "the last subscriber ended after " + last / 1_000_000 + " ms");
        assertTrue(last - first >= Duration.ofMillis(500).toNanos(),
                "ends spread over only " + (last - first) / 1_000_000 + " ms");
        assertTrue(retries.size() > 1, "every client was told to reconnect at the same time: " + retries);
    }

    @Test
    void aStoppingHubRefusesUpdatesAndClientsThatAreNoEventSourceWith503AndRetryAfter() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            server.hub().shutdown();
            Http.Response subscribe = http.get(server.uri("/.well-known/mercure?topic=t"), null);
            assertEquals(503, subscribe.status());
            assertTrue(Long.parseLong(subscribe.header("Retry-After")) >= 1, subscribe.headers().toString());
            Http.Response publish = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                    "topic", "t");
            assertEquals(503, publish.status());
            assertTrue(Long.parseLong(publish.header("Retry-After")) >= 1, publish.headers().toString());
            Poll.until(Duration.ofSeconds(1), "nothing live", () -> server.hub().subscribers().isEmpty());
        }
    }

    /**
     * EventSource gives up for good on any status but 200: a hub that is stopping answers it a 200 stream that only
     * says where to resume and when to come back, then ends, so that it comes back by itself.
     */
    @Test
    void aStoppingHubSendsAnEventSourceAwayWithACursorAndARetryHintThatItComesBackFrom() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.DRAIN, "3s"))) {
            Thread stopping = new Thread(server.hub()::shutdown, "stopping");
            RawSseClient held = RawSseClient.open(server.port(), "/.well-known/mercure?topic=held");
            held.awaitBody(":\n\n", Duration.ofSeconds(5));
            stopping.start();
            Poll.until(Duration.ofSeconds(2), "the hub is stopping", server.hub()::isStopping);
            String cursorOfNewClient;
            try (RawSseClient fresh = RawSseClient.open(server.port(), "/.well-known/mercure?topic=t")) {
                assertEquals(200, fresh.awaitHead(Duration.ofSeconds(5)));
                assertTrue(fresh.header("Content-Type").startsWith("text/event-stream"));
                assertTrue(fresh.awaitEof(Duration.ofSeconds(5)), "the stream ends at once");
                SseEvents.Event hint = SseEvents.parse(fresh.body()).get(0);
                long retry = Long.parseLong(hint.retry());
                assertTrue(retry >= 1000 && retry <= 4000, "retry " + retry);
                cursorOfNewClient = hint.id();
                assertTrue(cursorOfNewClient.startsWith("urn:lifeline:position:"), hint.toString());
            }
            try (RawSseClient resuming = RawSseClient.open(server.port(), "/.well-known/mercure?topic=t",
                    "Last-Event-ID: seen-before")) {
                assertTrue(resuming.awaitEof(Duration.ofSeconds(5)));
                assertEquals("seen-before", SseEvents.parse(resuming.body()).get(0).id(),
                        "a client that has a cursor keeps it");
                assertEquals("seen-before", resuming.header("Last-Event-ID"), "and is told so, as the protocol asks");
            }
            assertTrue(server.hub().subscribers().stream().noneMatch(s -> s.topics().contains("t")),
                    "no subscriber was added for them");
            held.close();
            try {
                stopping.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
