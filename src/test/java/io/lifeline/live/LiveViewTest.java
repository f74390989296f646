package io.lifeline.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeline.hub.Hub;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Http;
import io.lifeline.testing.LiveEvents;
import io.lifeline.testing.LogCapture;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The live view's stream at {@code /.lifeline/live}: what a viewer is told, who may view, and how much it lists.
 */
class LiveViewTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aViewerGetsASnapshotThenEachStartAndDepartureWithItsReasonWatchAndReleaseTime() throws IOException {
        server = TestServer.start(Map.of());
        String topic = "https://example.com/live/" + UUID.randomUUID();
        try (RawSseClient viewer = openViewer(Tokens.admin(TestServer.KEY))) {
            viewer.awaitBody("event: snapshot\n", WAIT);
            JsonNode snapshot = LiveEvents.of(viewer, "snapshot").get(0);
            assertEquals(0, snapshot.get("connected").asInt());
            assertFalse(snapshot.get("hub").get("development").asBoolean());
            assertTrue(snapshot.get("hub").get("demonstration").asBoolean());

            String id;
            try (RawSseClient subscriber = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + topic)) {
                subscriber.awaitBody(":\n\n", WAIT);
                id = server.awaitSubscriber(topic).id();
                viewer.awaitBody(id, WAIT);
                JsonNode started = find(viewer, "starts", id);
                assertEquals(topic, started.get("topics").get(0).asText());
                assertEquals("jetty-http1", started.get("watch").asText());
                subscriber.fin();
                viewer.awaitBodyMatching(Pattern.compile("\"departures\":\\[\\{\"id\":\"" + Pattern.quote(id)), WAIT);
            }
            JsonNode departure = find(viewer, "departures", id);
            assertEquals("client-closed", departure.get("reason").asText());
            assertEquals("jetty-http1", departure.get("watch").asText());
            assertTrue(departure.get("releaseMicros").asLong() >= 0);
            assertTrue(departure.has("durationMillis") && departure.has("updates") && departure.has("at"));
            viewer.awaitBodyWhere(v -> LiveEvents.of(v, "tick").stream()
                    .anyMatch(tick -> tick.get("ended").get("client-closed").asInt() == 1),
                    "a tick counts the departure by its reason", WAIT);
        }
    }

    @Test
    void theLiveViewAnswersOnlyATokenWithTheAdminClaim() throws IOException {
        server = TestServer.start(Map.of());
        try (Http http = new Http()) {
            Http.Response none = http.get(server.uri("/.lifeline/live"), null);
            assertEquals(401, none.status());
            assertTrue(none.body().contains("\"lifeline\": {\"admin\": true}"), none.body());
            Http.Response subscriber = http.get(server.uri("/.lifeline/live"), Tokens.subscriber(TestServer.KEY, "*"));
            assertEquals(403, subscriber.status());
            assertTrue(subscriber.body().contains("admin"), subscriber.body());
            Http.Response forged = http.get(server.uri("/.lifeline/live"), Tokens.admin("another-key-of-enough-length-1234"));
            assertEquals(401, forged.status());
        }
        try (RawSseClient header = RawSseClient.open(server.port(), "/.lifeline/live",
                "Authorization: Bearer " + Tokens.admin(TestServer.KEY))) {
            header.awaitBody("event: snapshot\n", WAIT);
        }
    }

    @Test
    void aMercure10AccessTokenWithTheAdminClaimOpensTheLiveViewFromTheHeaderOnly() throws IOException {
        AccessTokenIssuer issuer = new AccessTokenIssuer("https://issuer.example.com");
        server = TestServer.start(issuer.settings());
        String admin = issuer.token().claims(c -> c.claim("lifeline", Map.of("admin", true))).sign();
        try (Http http = new Http()) {
            Http.Response subscriber = http.get(server.uri("/.lifeline/live"), issuer.subscriber("*"));
            assertEquals(403, subscriber.status());
            assertTrue(subscriber.body().contains("\"lifeline\": {\"admin\": true}"), subscriber.body());
            Http.Response inTheQuery = http.get(server.uri("/.lifeline/live?authorization=" + admin), null);
            assertEquals(400, inTheQuery.status());
        }
        try (RawSseClient header = RawSseClient.open(server.port(), "/.lifeline/live",
                "Authorization: Bearer " + admin)) {
            header.awaitBody("event: snapshot\n", WAIT);
        }
    }

    @Test
    void aViewersStreamEndsWhenItsTokenExpires() throws IOException {
        server = TestServer.start(Map.of());
        try (LogCapture log = LogCapture.of(Hub.END_LOG);
             RawSseClient viewer = openViewer(Tokens.admin(TestServer.KEY, Instant.now().plusSeconds(2)))) {
            viewer.awaitBody("event: snapshot\n", WAIT);
            assertTrue(viewer.awaitEof(WAIT), "the stream ends at the token's expiry");
            Poll.until(WAIT, "ended token-expired", () -> log.linesWith("live viewer").stream()
                    .anyMatch(line -> line.contains("ended reason=token-expired")));
        }
    }

    @Test
    void inDevelopmentModeTheLiveViewNeedsNoToken() throws IOException {
        server = TestServer.startInDevelopmentMode(Map.of());
        try (RawSseClient viewer = RawSseClient.open(server.port(), "/.lifeline/live")) {
            viewer.awaitBody("event: snapshot\n", WAIT);
            assertTrue(LiveEvents.of(viewer, "snapshot").get(0).get("hub").get("development").asBoolean());
        }
    }

    @Test
    void aViewerThatLeavesIsReleasedOnceLoggedAndShownToTheOtherViewers() throws IOException {
        server = TestServer.start(Map.of());
        LiveFeed feed = server.feed();
        try (LogCapture log = LogCapture.of(Hub.END_LOG);
             RawSseClient watching = openViewer(Tokens.admin(TestServer.KEY))) {
            watching.awaitBody("event: snapshot\n", WAIT);
            RawSseClient leaving = openViewer(Tokens.admin(TestServer.KEY));
            leaving.awaitBody("event: snapshot\n", WAIT);
            Poll.until(WAIT, "two viewers", () -> feed.viewers() == 2);
            leaving.fin();
            Poll.until(WAIT, "the viewer that left is released", () -> feed.viewers() == 1);
            leaving.close();
            watching.awaitBody("\"viewer\":true", WAIT);
            Poll.until(WAIT, "one end line", () -> log.linesWith("live viewer").stream()
                    .anyMatch(line -> line.contains("ended reason=client-closed")));
            assertEquals(1, log.linesWith("ended reason=client-closed").size());
            assertEquals(0L, server.hub().metrics().endedTotal(), "a viewer is not counted as a subscriber");
        }
    }

    @Test
    void aTickListsAtMostFiftyDeparturesAndCountsTheRest() throws IOException {
        server = TestServer.start(Map.of());
        int subscribers = 120;
        String topic = "https://example.com/many/" + UUID.randomUUID();
        try (RawSseClient viewer = openViewer(Tokens.admin(TestServer.KEY))) {
            viewer.awaitBody("event: snapshot\n", WAIT);
            List<RawSseClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < subscribers; i++) {
                    clients.add(RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + topic));
                }
                Poll.until(WAIT, "every subscriber connected",
                        () -> server.hub().subscribers().size() == subscribers);
            } finally {
                for (RawSseClient client : clients) {
                    client.reset();
                }
            }
            viewer.awaitBodyWhere(v -> {
                List<JsonNode> ticks = LiveEvents.of(v, "tick");
                long listed = ticks.stream().mapToLong(t -> t.get("departures").size()).sum();
                long counted = ticks.stream().mapToLong(t -> t.get("departuresNotListed").asLong()).sum();
                return listed + counted == subscribers;
            }, "every departure listed or counted", WAIT);
            for (JsonNode tick : LiveEvents.of(viewer, "tick")) {
                assertTrue(tick.get("departures").size() <= LiveFeed.LISTED_PER_TICK, tick.toString());
                assertTrue(tick.get("starts").size() <= LiveFeed.LISTED_PER_TICK, tick.toString());
                assertTrue(!tick.has("subscribers") || tick.get("subscribers").size() <= LiveFeed.LISTED_SUBSCRIBERS);
            }
        }
    }

    @Test
    void eachSubscriberHasOneStartLineAndOneEndLineNamingItsTopicsAndAClientsLineBreakCannotForgeALine()
            throws IOException {
        server = TestServer.start(Map.of());
        try (LogCapture log = LogCapture.of(Hub.END_LOG);
             RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=a%0Afake%20line")) {
            client.awaitBody(":\n\n", WAIT);
            Subscriber subscriber = server.awaitSubscriber("a\nfake line");
            client.fin();
            Poll.until(WAIT, "the end line", () -> !log.linesWith(subscriber.id() + " ended").isEmpty());
            String start = log.linesWith(subscriber.id() + " started").get(0);
            String end = log.linesWith(subscriber.id() + " ended").get(0);
            assertTrue(start.contains("topics=[a\\u000afake line] watch=jetty-http1 remote=127.0.0.1:"), start);
            assertTrue(start.contains(" client=127.0.0.1"), start);
            assertTrue(end.contains("reason=client-closed topics=[a\\u000afake line]"), end);
            assertTrue(end.matches(".* release=\\d+us .*"), end);
            assertFalse(start.contains("\n") || end.contains("\n"));
        }
    }

    @Test
    void theStartLineTellsAMercure10MatcherFromADraft07SelectorOfTheSameValue() throws IOException {
        server = TestServer.start(Map.of());
        String template = "https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D";
        try (LogCapture log = LogCapture.of(Hub.END_LOG);
             RawSseClient client = RawSseClient.open(server.port(),
                     "/.well-known/mercure?match=" + template + "&match=")) {
            client.awaitBody(":\n\n", WAIT);
            Subscriber subscriber = server.awaitSubscriber("https://example.com/books/{id}");
            Poll.until(WAIT, "the start line", () -> !log.linesWith(subscriber.id() + " started").isEmpty());
            String start = log.linesWith(subscriber.id() + " started").get(0);
            assertTrue(start.contains("topics=[match=https://example.com/books/{id}, match=] "), start);
        }
    }

    private RawSseClient openViewer(String token) throws IOException {
        return RawSseClient.open(server.port(), "/.lifeline/live?authorization=" + token);
    }

    /** The entry of a list in some tick ({@code starts}, {@code departures}) about this subscriber. */
    private static JsonNode find(RawSseClient viewer, String list, String id) {
        for (JsonNode tick : LiveEvents.of(viewer, "tick")) {
            for (JsonNode entry : tick.get(list)) {
                if (entry.get("id").asText().equals(id)) {
                    return entry;
                }
            }
        }
        throw new AssertionError("no tick lists " + id + " in " + list + ": " + viewer.body());
    }
}
