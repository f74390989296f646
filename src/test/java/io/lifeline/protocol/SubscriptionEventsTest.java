package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.Subscriber;
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
import org.junit.jupiter.api.Test;

/** The private updates the hub publishes each time a subscription starts or ends. */
class SubscriptionEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENTS = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
    private static final String BOOK = "https://example.com/books/{id}";

    @Test
    void aSubscriptionsStartAndEndArePublishedAsPrivateJsonLdUpdatesTheEndAtTheMomentItIsNoticed() throws Exception {
        try (TestServer server = TestServer.start(Map.of());
             RawSseClient watcher = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + encode(EVENTS),
                     "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, EVENTS))) {
            watcher.awaitBody(":\n\n", Duration.ofSeconds(5));
            server.awaitSubscriber(EVENTS);
            String token = JWT.create().withClaim("mercure", Map.of("subscribe", List.of(BOOK),
                    "payload", Map.of("user", "https://example.com/users/dunglas"))).sign(Algorithm.HMAC256(TestServer.KEY));
            RawSseClient reader = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + encode(BOOK),
                    "Authorization: Bearer " + token);
            reader.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber subscriber = server.awaitSubscriber(BOOK);
            String id = "/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fbooks%2F%7Bid%7D/"
                    + URLEncoder.encode(subscriber.id(), StandardCharsets.UTF_8);

            watcher.awaitBody("\"active\":true", Duration.ofSeconds(5));
            JsonNode started = JSON.readTree(SseEvents.parse(watcher.body()).get(0).data());
            assertEquals("https://mercure.rocks/", started.get("@context").asText());
            assertEquals(id, started.get("id").asText());
            assertEquals("Subscription", started.get("type").asText());
            assertEquals(BOOK, started.get("topic").asText());
            assertEquals(subscriber.id(), started.get("subscriber").asText());
            assertTrue(started.get("active").asBoolean());
            assertEquals("https://example.com/users/dunglas", started.get("payload").get("user").asText());

            long departed = System.nanoTime();
            reader.fin();
            watcher.awaitBody("\"active\":false", Duration.ofSeconds(1));
            long noticedWithin = System.nanoTime() - departed;
            JsonNode ended = JSON.readTree(SseEvents.parse(watcher.body()).get(1).data());
            assertEquals(id, ended.get("id").asText());
            assertFalse(ended.get("active").asBoolean());
            assertTrue(noticedWithin < Duration.ofSeconds(1).toNanos());
            reader.close();
        }
    }

    @Test
    void subscriptionEventsArePrivateAnAnonymousSubscriberToEverythingNeverSeesThem() throws IOException {
        try (TestServer server = TestServer.start(Map.of());
             RawSseClient everything = RawSseClient.open(server.port(), "/.well-known/mercure?topic=*")) {
            everything.awaitBody(":\n\n", Duration.ofSeconds(5));
            try (RawSseClient other = RawSseClient.open(server.port(), "/.well-known/mercure?topic=a")) {
                other.awaitBody(":\n\n", Duration.ofSeconds(5));
            }
            Poll.until(Duration.ofSeconds(2), "the other subscriber ends", () -> server.subscriberOf("a").isEmpty());
            io.lifeline.testing.Http http = new io.lifeline.testing.Http();
            http.publish(server.uri("/.well-known/mercure"), server.publisherToken(), "topic", "x", "id", "marker");
            everything.awaitBody("id: marker", Duration.ofSeconds(5));
            assertEquals(List.of("marker"), SseEvents.ids(everything.body()));
            http.close();
        }
    }

    @Test
    void subscriptionEventsCanBeSwitchedOff() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.SUBSCRIPTION_EVENTS, "false"));
             RawSseClient watcher = RawSseClient.open(server.port(), "/.well-known/mercure?topic=*",
                     "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, "*"))) {
            watcher.awaitBody(":\n\n", Duration.ofSeconds(5));
            try (RawSseClient other = RawSseClient.open(server.port(), "/.well-known/mercure?topic=a")) {
                other.awaitBody(":\n\n", Duration.ofSeconds(5));
            }
            assertEquals("earliest", server.hub().lastEventId());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
