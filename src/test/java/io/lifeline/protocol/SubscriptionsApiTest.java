package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.protocol.draft07.ActiveSubscriptions;
import io.lifeline.testing.EncodedTopics;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The active subscriptions API, as JSON-LD, with URL topics in the path. */
class SubscriptionsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/.well-known/mercure/subscriptions";
    private static final String BOOK = "https://example.com/books/1";

    private TestServer server;
    private Http http;
    private String reader;

    @BeforeEach
    void start() {
        server = TestServer.start(Map.of());
        http = new Http();
        reader = Tokens.subscriber(TestServer.KEY, "*");
    }

    @AfterEach
    void stop() throws IOException {
        http.close();
        server.close();
    }

    @Test
    void everyTopicThatCanBeSubscribedToIsFoundAtTheIdTheHubGivesItsSubscriptionWhateverEscapesItNeeds()
            throws IOException {
        for (String topic : EncodedTopics.TOPICS) {
            try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic="
                    + URLEncoder.encode(topic, StandardCharsets.UTF_8))) {
                client.awaitBody(":\n\n", Duration.ofSeconds(5));
                String subscriber = server.awaitSubscriber(topic).id();
                String id = ActiveSubscriptions.id(topic, subscriber);
                for (String path : List.of(id, EncodedTopics.withLiteralPlus(id))) {
                    Http.Response r = http.get(server.uri(path), reader);
                    assertEquals(200, r.status(), topic + " at " + path + ": " + r.body());
                    assertEquals(topic, JSON.readTree(r.body()).get("topic").asText(), path);
                    assertEquals(id, JSON.readTree(r.body()).get("id").asText(), path);
                }
                String collection = id.substring(0, id.lastIndexOf('/'));
                Http.Response r = http.get(server.uri(collection), reader);
                assertEquals(200, r.status(), topic + " at " + collection + ": " + r.body());
                assertEquals(1, JSON.readTree(r.body()).get("subscriptions").size(), collection);
            }
        }
    }

    @Test
    void withNoSubscriberTheCollectionIsEmptyAndLastEventIdIsEarliest() throws IOException {
        Http.Response r = http.get(server.uri(API), reader);
        assertEquals(200, r.status(), r.body());
        assertEquals("application/ld+json", r.header("Content-Type"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("https://mercure.rocks/", body.get("@context").asText());
        assertEquals(API, body.get("id").asText());
        assertEquals("Subscriptions", body.get("type").asText());
        assertEquals("earliest", body.get("lastEventID").asText());
        assertTrue(body.get("subscriptions").isArray());
        assertEquals(0, body.get("subscriptions").size());
    }

    @Test
    void eachSubscriptionIsListedWithItsTopicSubscriberAndPayload() throws IOException {
        String token = com.auth0.jwt.JWT.create()
                .withClaim("mercure", Map.of("subscribe", List.of("*"), "payload", Map.of("user", "42")))
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(TestServer.KEY));
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic="
                + encode(BOOK) + "&topic=" + encode("https://example.com/authors/{id}"),
                "Authorization: Bearer " + token)) {
            client.awaitBody(":\n\n", Duration.ofSeconds(5));
            String subscriber = server.awaitSubscriber(BOOK).id();

            JsonNode list = JSON.readTree(http.get(server.uri(API), reader).body()).get("subscriptions");
            assertEquals(2, list.size(), list.toString());
            JsonNode book = find(list, BOOK);
            assertEquals(API + "/https%3A%2F%2Fexample.com%2Fbooks%2F1/" + encodeId(subscriber), book.get("id").asText());
            assertEquals("Subscription", book.get("type").asText());
            assertEquals(subscriber, book.get("subscriber").asText());
            assertTrue(book.get("active").asBoolean());
            assertEquals("42", book.get("payload").get("user").asText());
            assertEquals(API + "/https%3A%2F%2Fexample.com%2Fauthors%2F%7Bid%7D/" + encodeId(subscriber),
                    find(list, "https://example.com/authors/{id}").get("id").asText());
        }
    }

    @Test
    void theTopicCollectionTakesItsTopicPercentEncodedWithSlashesAsPercent2F() throws IOException {
        try (RawSseClient book = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + encode(BOOK));
             RawSseClient other = RawSseClient.open(server.port(), "/.well-known/mercure?topic=other")) {
            book.awaitBody(":\n\n", Duration.ofSeconds(5));
            other.awaitBody(":\n\n", Duration.ofSeconds(5));
            String path = API + "/" + encode(BOOK);
            Http.Response r = http.get(server.uri(path), reader);
            assertEquals(200, r.status(), r.body());
            JsonNode body = JSON.readTree(r.body());
            assertEquals(path, body.get("id").asText());
            assertEquals(1, body.get("subscriptions").size(), r.body());
            assertEquals(BOOK, body.get("subscriptions").get(0).get("topic").asText());
        }
    }

    @Test
    void oneSubscriptionCanBeFetchedByItsIdAndAnUnknownOneIs404() throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + encode(BOOK))) {
            client.awaitBody(":\n\n", Duration.ofSeconds(5));
            String subscriber = server.awaitSubscriber(BOOK).id();
            String id = API + "/" + encode(BOOK) + "/" + encodeId(subscriber);
            Http.Response r = http.get(server.uri(id), reader);
            assertEquals(200, r.status(), r.body());
            JsonNode body = JSON.readTree(r.body());
            assertEquals(id, body.get("id").asText());
            assertEquals("https://mercure.rocks/", body.get("@context").asText());
            assertEquals(server.hub().lastEventId(), body.get("lastEventID").asText());

            assertEquals(404, http.get(server.uri(API + "/" + encode(BOOK) + "/urn%3Auuid%3Anobody"), reader).status());
        }
    }

    @Test
    void lastEventIdFollowsPublishedUpdates() throws IOException {
        Http.Response published = http.publish(server.uri("/.well-known/mercure"), server.publisherToken(),
                "topic", BOOK, "id", "urn:example:42", "data", "x");
        assertEquals(200, published.status());
        JsonNode body = JSON.readTree(http.get(server.uri(API), reader).body());
        assertEquals("urn:example:42", body.get("lastEventID").asText());
    }

    @Test
    void aSubscriberThatLeavesDisappearsFromTheApi() throws IOException {
        RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + encode(BOOK));
        client.awaitBody(":\n\n", Duration.ofSeconds(5));
        server.awaitSubscriber(BOOK);
        assertEquals(1, JSON.readTree(http.get(server.uri(API), reader).body()).get("subscriptions").size());
        client.fin();
        Poll.until(Duration.ofSeconds(1), "the subscription disappears", () -> {
            try {
                return JSON.readTree(http.get(server.uri(API), reader).body()).get("subscriptions").isEmpty();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        client.close();
    }

    @Test
    void readingTheApiNeedsATokenWhoseSubscribeSelectorsCoverTheUrl() throws IOException {
        assertEquals(401, http.get(server.uri(API), null).status());
        assertEquals(401, http.get(server.uri(API), Tokens.subscriber("wrong-key-wrong-key-wrong-key-wrong", "*"))
                .status());
        assertEquals(403, http.get(server.uri(API), Tokens.subscriber(TestServer.KEY, BOOK)).status());
        assertEquals(403, http.get(server.uri(API), Tokens.publisher(TestServer.KEY, "*")).status());
        assertEquals(200, http.get(server.uri(API), Tokens.subscriber(TestServer.KEY, API)).status());
    }

    @Test
    void aTopicWhoseSlashesArriveDecodedIsRefusedWithTheReason() throws IOException {
        Http.Response r = http.get(server.uri(API + "/https:/example.com/books/1/x"), reader);
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("%2F"), r.body());
    }

    private static JsonNode find(JsonNode list, String topic) {
        for (JsonNode item : list) {
            if (item.get("topic").asText().equals(topic)) {
                return item;
            }
        }
        throw new AssertionError("no subscription to " + topic + " in " + list);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String encodeId(String subscriber) {
        return encode(subscriber);
    }
}
