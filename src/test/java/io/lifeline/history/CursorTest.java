package io.lifeline.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.time.Instant;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every client holds a cursor, also before its first event: the stream gives it the hub's position as an id-only
 * block right after any replay, and again before every end the hub decides. A client cut at any moment, by the hub
 * or by the network, resumes from it and gets what was published while it was away, once.
 */
class CursorTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Pattern ID_ONLY_BLOCK = Pattern.compile("(?m)^id: (urn:lifeline:position:[^\\n]+)\\n"
            + "(retry: \\d+\\n)?\\n");

    @Test
    void aStreamOpensWithAnIdOnlyBlockNamingTheHubsPositionAndNoEvent() throws IOException {
        try (TestServer server = TestServer.start(Map.of());
             RawSseClient client = subscribe(server, topic())) {
            String cursor = awaitCursor(client);
            assertTrue(cursor.startsWith("urn:lifeline:position:"), cursor);
            assertEquals(List.of(), SseEvents.ids(client.body()), "the block dispatches no event");
        }
    }

    @Test
    void withCursorEventFalseTheStreamOpensWithoutTheIdOnlyBlockAndTheFirstBlockIsTheFirstUpdate() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.CURSOR_EVENT, "false")); Http http = new Http()) {
            String topic = topic();
            try (RawSseClient client = subscribe(server, topic)) {
                server.awaitSubscriber(topic);
                assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "id", "urn:first", "data", "Hi").status());
                client.awaitBody("data: Hi\n\n", WAIT);
                assertEquals(":\n\nid: urn:first\ndata: Hi\n\n", client.body());
            }
        }
    }

    @Test
    void aClientCutByTheHubBeforeItsFirstEventResumesWithTheUpdatePublishedInTheGap() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.MAX_LIFETIME, "1s")); Http http = new Http()) {
            String topic = topic();
            String cursor;
            try (RawSseClient client = subscribe(server, topic)) {
                assertTrue(client.awaitEof(Duration.ofSeconds(3)), "the maximum lifetime ends the stream");
                assertEquals(List.of(), SseEvents.ids(client.body()), "no event before the cut");
                List<SseEvents.Event> blocks = SseEvents.parse(client.body());
                SseEvents.Event last = blocks.get(blocks.size() - 1);
                assertNotNull(last.retry(), "the last block says when to come back");
                cursor = last.id();
                assertTrue(cursor.startsWith("urn:lifeline:position:"), "and where to resume: " + last);
            }
            Poll.until(WAIT, "nobody subscribed", () -> server.hub().subscribers().isEmpty());
            publish(server, http, topic, "in-the-gap");
            try (RawSseClient again = subscribe(server, topic, "Last-Event-ID: " + cursor)) {
                again.awaitBody("id: in-the-gap\n", WAIT);
                assertEquals(cursor, again.header("Last-Event-ID"));
                assertEquals(List.of("in-the-gap"), SseEvents.ids(again.body()));
            }
        }
    }

    @Test
    void aClientCutByTheNetworkBeforeItsFirstEventResumesWithTheUpdatePublishedInTheGap() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String topic = topic();
            publish(server, http, topic, "before-it-came");
            RawSseClient client = subscribe(server, topic);
            String cursor = awaitCursor(client);
            Subscriber subscriber = server.awaitSubscriber(topic);
            client.reset();
            Poll.until(WAIT, "the cut is noticed", subscriber::isEnded);
            publish(server, http, topic, "in-the-gap");
            try (RawSseClient again = subscribe(server, topic, "Last-Event-ID: " + cursor)) {
                again.awaitBody("id: in-the-gap\n", WAIT);
                assertEquals(List.of("in-the-gap"), SseEvents.ids(again.body()),
                        "what came before the first stream is not replayed; what came after is");
            }
        }
    }

    @Test
    void theCursorComesAfterTheReplaySoThatACutDuringItLosesNothing() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            String topic = topic();
            publish(server, http, topic, "u1");
            publish(server, http, topic, "u2");
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: earliest")) {
                String cursor = awaitCursor(client);
                String body = client.body();
                assertTrue(body.indexOf("id: u2\n") < body.indexOf("id: " + cursor), body);
            }
        }
    }

    @Test
    void theCursorNeverNamesAPrivateUpdateTheSubscriberMayNotSee() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.MAX_LIFETIME, "1s")); Http http = new Http()) {
            String topic = topic();
            try (RawSseClient client = subscribe(server, topic)) {
                awaitCursor(client);
                assertEquals(200, http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic, "id", "secret-id", "data", "secret", "private", "on").status());
                assertTrue(client.awaitEof(Duration.ofSeconds(3)));
                assertFalse(client.body().contains("secret"), client.body());
            }
            try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: earliest")) {
                awaitCursor(client);
                assertFalse(client.body().contains("secret"), client.body());
            }
        }
    }

    @Test
    void aPositionFromAnotherHubOrWhoseSuccessorsWereEvictedReplaysEverythingHeldAndAnswersEarliest()
            throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.HISTORY_SIZE, "2")); Http http = new Http()) {
            String topic = topic();
            String cursor;
            try (RawSseClient client = subscribe(server, topic)) {
                cursor = awaitCursor(client);
            }
            for (int i = 1; i <= 3; i++) {
                publish(server, http, topic, "u" + i); // u1 goes: the cursor's successors are not all held
            }
            for (String asked : new String[] {cursor, "urn:lifeline:position:000000000000-0"}) {
                try (RawSseClient client = subscribe(server, topic, "Last-Event-ID: " + asked)) {
                    client.awaitBody("id: u3\n", WAIT);
                    assertEquals("earliest", client.header("Last-Event-ID"), asked);
                    assertEquals(List.of("u2", "u3"), SseEvents.ids(client.body()), asked);
                }
            }
        }
    }

    @Test
    void aPublisherMayNotUseTheHubsOwnIdsInAnyCase() throws IOException {
        try (TestServer server = TestServer.start(Map.of()); Http http = new Http()) {
            for (String id : new String[] {"urn:lifeline:position:abc-1", "URN:Lifeline:anything"}) {
                Http.Response r = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                        "topic", topic(), "id", id);
                assertEquals(400, r.status(), id);
                assertTrue(r.body().contains("urn:lifeline:"), r.body());
            }
        }
    }

    @Test
    void aTokenThatExpiresEndsTheStreamWithTheCursor() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.ANONYMOUS, "false"))) {
            String topic = topic();
            String token = Tokens.token(TestServer.KEY, null, List.of(topic), Instant.now().plusSeconds(2));
            try (RawSseClient client = subscribe(server, topic, "Authorization: Bearer " + token)) {
                Subscriber subscriber = server.awaitSubscriber(topic);
                assertTrue(client.awaitEof(Duration.ofSeconds(4)));
                assertEquals(EndReason.TOKEN_EXPIRED, subscriber.endReason());
                MatchResult last = client.awaitBodyMatching(ID_ONLY_BLOCK, WAIT);
                assertEquals(client.body().length(), last.end(), "the stream ends with the cursor: " + client.body());
            }
        }
    }

    /** Waits for an id-only block and returns the id of the last one. */
    static String awaitCursor(RawSseClient client) throws IOException {
        return client.awaitBodyMatching(ID_ONLY_BLOCK, WAIT).group(1);
    }

    private static String topic() {
        return "https://example.com/cursor/" + UUID.randomUUID();
    }

    private static RawSseClient subscribe(TestServer server, String topic, String... headers) throws IOException {
        return RawSseClient.open(server.port(), "/.well-known/mercure?topic="
                + URLEncoder.encode(topic, StandardCharsets.UTF_8), headers);
    }

    private static void publish(TestServer server, Http http, String topic, String id) throws IOException {
        Http.Response r = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                "topic", topic, "id", id, "data", id);
        assertEquals(200, r.status(), r.body());
    }
}
