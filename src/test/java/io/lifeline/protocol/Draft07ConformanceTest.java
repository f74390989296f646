package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One test for each MUST of the Mercure protocol, draft-dunglas-mercure-07 (the reference hub's
 * {@code spec/mercure.md} at v0.24.2), that a hub has to satisfy, named after the requirement. docs/conformance.md
 * maps each MUST to its test.
 */
class Draft07ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HUB = "/.well-known/mercure";
    private static final String API = "/.well-known/mercure/subscriptions";
    private static final String SUBSCRIPTION_EVENTS = API + "{/topic}{/subscriber}";

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        http = new Http();
    }

    @AfterAll
    static void stop() throws IOException {
        http.close();
        server.close();
    }

    @Nested
    class Discovery {

        @Test
        void theHubIsAtTheWellKnownPath() throws IOException {
            String topic = topic();
            try (RawSseClient client = subscribe(topic)) {
                assertEquals(200, client.awaitHead(WAIT));
                assertEquals(200, publish("topic", topic).status());
            }
            assertEquals(404, http.get(server.uri("/hub?topic=x"), null).status());
        }
    }

    @Nested
    class Subscription {

        @Test
        void everyTopicParameterIsATopicSelector() throws IOException {
            String book = "https://example.com/books/" + UUID.randomUUID();
            try (RawSseClient exact = subscribe(book);
                 RawSseClient template = subscribe("https://example.com/books/{id}");
                 RawSseClient everything = subscribe("*")) {
                awaitSubscribed(book, "https://example.com/books/{id}", "*");
                publishOk("topic", book, "id", "selected");
                for (RawSseClient client : List.of(exact, template, everything)) {
                    client.awaitBody("id: selected\n", WAIT);
                }
            }
        }

        @Test
        void aPrivateUpdateIsNeverDispatchedToASubscriberNotAuthorizedForIt() throws IOException {
            String topic = topic();
            try (RawSseClient anonymous = subscribe(topic);
                 RawSseClient otherTopic = subscribe(topic, bearer(Tokens.subscriber(TestServer.KEY, "https://other")));
                 RawSseClient authorized = subscribe(topic, bearer(Tokens.subscriber(TestServer.KEY, topic)))) {
                awaitCount(topic, 3);
                publishOk("topic", topic, "id", "private-1", "private", "on");
                publishOk("topic", topic, "id", "public-1");
                for (RawSseClient client : List.of(anonymous, otherTopic, authorized)) {
                    client.awaitBody("id: public-1\n", WAIT);
                }
                assertFalse(anonymous.body().contains("private-1"));
                assertFalse(otherTopic.body().contains("private-1"));
                assertTrue(authorized.body().contains("id: private-1\n"));
            }
        }

        @Test
        void updatesAreSentAsTextEventStreamEvents() throws IOException {
            String topic = topic();
            try (RawSseClient client = subscribe(topic)) {
                awaitSubscribed(topic);
                assertTrue(client.header("Content-Type").startsWith("text/event-stream"));
                publishOk("topic", topic, "id", "e1", "data", "x");
                client.awaitBody("id: e1\ndata: x\n\n", WAIT);
            }
        }

        @Test
        void theDataPropertyContainsTheNewVersionOfTheTopic() throws IOException {
            String topic = topic();
            String resource = "{\"@id\": \"/books/1\",\n \"title\": \"Ça va\"}\r\n";
            try (RawSseClient client = subscribe(topic)) {
                awaitSubscribed(topic);
                publishOk("topic", topic, "id", "v2", "data", resource);
                client.awaitBody("id: v2", WAIT);
                assertEquals(resource.replace("\r\n", "\n"), SseEvents.parse(client.body()).get(0).data());
            }
        }

        @Test
        void theOtherServerSentEventsPropertiesAreSupported() throws IOException {
            String topic = topic();
            try (RawSseClient client = subscribe(topic)) {
                awaitSubscribed(topic);
                publishOk("topic", topic, "id", "typed", "type", "book-updated", "retry", "4200", "data", "x");
                client.awaitBody("id: typed", WAIT);
                SseEvents.Event event = SseEvents.parse(client.body()).get(0);
                assertEquals("typed", event.id());
                assertEquals("book-updated", event.type());
                assertEquals("4200", event.retry());
            }
        }
    }

    @Nested
    class Publication {

        @Test
        void aPublishThatIsNotFormEncodedIsRefused() throws IOException {
            Http.Response r = http.post(server.uri(HUB), server.publisherToken(), "application/json",
                    "{\"topic\":\"t\"}".getBytes(StandardCharsets.UTF_8));
            assertEquals(415, r.status());
        }

        @Test
        void anUpdateIsDispatchedToSubscribersOfItsCanonicalOrAlternateTopics() throws IOException {
            String canonical = topic();
            String alternate = topic();
            try (RawSseClient toCanonical = subscribe(canonical); RawSseClient toAlternate = subscribe(alternate)) {
                awaitSubscribed(canonical, alternate);
                publishOk("topic", canonical, "topic", alternate, "id", "both");
                toCanonical.awaitBody("id: both\n", WAIT);
                toAlternate.awaitBody("id: both\n", WAIT);
            }
        }

        @Test
        void anIdStartingWithHashIsRefused() throws IOException {
            assertEquals(400, publish("topic", topic(), "id", "#1").status());
        }

        @Test
        void anOmittedIdIsGeneratedAsAValidIri() throws IOException {
            String id = publish("topic", topic()).body();
            assertTrue(id.matches("urn:uuid:[0-9a-f-]{36}"), id);
        }

        @Test
        void aSuccessfulPublishAnswersASuccessStatusWithTheIdAsBody() throws IOException {
            Http.Response r = publish("topic", topic(), "id", "urn:example:1");
            assertEquals(200, r.status());
            assertEquals("urn:example:1", r.body());
        }

        @Test
        void aPublisherMustBeAuthorized() throws IOException {
            assertEquals(401, http.publish(server.uri(HUB), null, "topic", topic()).status());
        }
    }

    @Nested
    class Authorization {

        @Test
        void aPresentedAuthorizationHeaderIsUsedAndTheQueryParameterAndCookieAreIgnored() throws IOException {
            String bad = Tokens.subscriber("wrong-key-wrong-key-wrong-key-wrong", "*");
            String good = Tokens.subscriber(TestServer.KEY, "*");
            assertEquals(200, status(HUB + "?topic=t&authorization=" + bad, bearer(good),
                    "Cookie: mercureAuthorization=" + bad));
            assertEquals(401, status(HUB + "?topic=t&authorization=" + good, bearer(bad),
                    "Cookie: mercureAuthorization=" + good));
        }

        @Test
        void withoutAHeaderTheQueryParameterIsUsedAndTheCookieIgnored() throws IOException {
            String bad = Tokens.subscriber("wrong-key-wrong-key-wrong-key-wrong", "*");
            String good = Tokens.subscriber(TestServer.KEY, "*");
            assertEquals(200, status(HUB + "?topic=t&authorization=" + good, "Cookie: mercureAuthorization=" + bad));
            assertEquals(401, status(HUB + "?topic=t&authorization=" + bad, "Cookie: mercureAuthorization=" + good));
        }

        @Test
        void theAuthorizationHeaderIsBearerASpaceAndTheJws() throws IOException {
            String good = Tokens.subscriber(TestServer.KEY, "*");
            assertEquals(200, status(HUB + "?topic=t", "Authorization: Bearer " + good));
            assertEquals(401, status(HUB + "?topic=t", "Authorization: " + good));
            assertEquals(401, status(HUB + "?topic=t", "Authorization: Token " + good));
        }

        @Test
        void aPublisherMustProveItMayPublishToTheUpdatesTopics() throws IOException {
            String topic = topic();
            assertEquals(200, http.publish(server.uri(HUB), Tokens.publisher(TestServer.KEY, topic), "topic", topic)
                    .status());
            assertEquals(403, http.publish(server.uri(HUB), Tokens.publisher(TestServer.KEY, topic), "topic", topic())
                    .status());
        }

        @Test
        void aTokenWithoutAMercurePublishClaimCannotPublish() throws IOException {
            String noMercure = JWT.create().withClaim("sub", "x").sign(Algorithm.HMAC256(TestServer.KEY));
            assertEquals(403, http.publish(server.uri(HUB), noMercure, "topic", topic()).status());
        }

        @Test
        void anEmptyMercurePublishClaimCannotPublish() throws IOException {
            String empty = Tokens.token(TestServer.KEY, List.of(), null, null);
            assertEquals(403, http.publish(server.uri(HUB), empty, "topic", topic()).status());
        }

        @Test
        void everyTopicOfAnUpdateMustMatchAPublishSelector() throws IOException {
            String token = Tokens.publisher(TestServer.KEY, "https://example.com/books/{id}");
            assertEquals(200, http.publish(server.uri(HUB), token, "topic", "https://example.com/books/1",
                    "topic", "https://example.com/books/2").status());
            assertEquals(403, http.publish(server.uri(HUB), token, "topic", "https://example.com/books/1",
                    "topic", "https://example.com/authors/1").status());
        }

        @Test
        void anUpdateNotAuthorizedForAllItsTopicsIsNotDispatchedAndAnswers403() throws IOException {
            String allowed = topic();
            try (RawSseClient client = subscribe(allowed)) {
                awaitSubscribed(allowed);
                Http.Response r = http.publish(server.uri(HUB), Tokens.publisher(TestServer.KEY, allowed),
                        "topic", allowed, "topic", topic(), "id", "refused");
                assertEquals(403, r.status());
                publishOk("topic", allowed, "id", "after");
                client.awaitBody("id: after\n", WAIT);
                assertFalse(client.body().contains("refused"));
            }
        }

        @Test
        void theConnectionIsClosedWhenTheSubscribersTokenExpires() throws IOException {
            String topic = topic();
            String token = Tokens.token(TestServer.KEY, null, List.of(topic), Instant.now().plusSeconds(2));
            try (RawSseClient client = subscribe(topic, bearer(token))) {
                awaitSubscribed(topic);
                Subscriber subscriber = server.awaitSubscriber(topic);
                assertTrue(client.awaitEof(Duration.ofSeconds(6)));
                assertEquals(EndReason.TOKEN_EXPIRED, subscriber.endReason());
            }
        }

        @Test
        void aSubscriberTokenWithoutAMercureSubscribeClaimReceivesNoPrivateUpdate() throws IOException {
            String topic = topic();
            String noSubscribe = Tokens.publisher(TestServer.KEY, "*");
            try (RawSseClient client = subscribe(topic, bearer(noSubscribe))) {
                awaitSubscribed(topic);
                publishOk("topic", topic, "id", "secret", "private", "on");
                publishOk("topic", topic, "id", "public");
                client.awaitBody("id: public\n", WAIT);
                assertFalse(client.body().contains("secret"));
            }
        }

        @Test
        void aPrivateUpdateReachesASubscriberWhoseSelectorsMatchOneOfItsAlternateTopics() throws IOException {
            String user = "https://example.com/users/" + UUID.randomUUID() + "/{?topic}";
            String book = "https://example.com/books/" + UUID.randomUUID();
            String alternate = user.replace("{?topic}", "?topic=" + URLEncoder.encode(book, StandardCharsets.UTF_8));
            try (RawSseClient client = subscribe("https://example.com/books/{id}",
                    bearer(Tokens.subscriber(TestServer.KEY, user)))) {
                awaitSubscribed("https://example.com/books/{id}");
                publishOk("topic", book, "topic", alternate, "id", "yours", "private", "on");
                publishOk("topic", "https://example.com/books/other", "id", "not-yours", "private", "on");
                publishOk("topic", book, "id", "marker");
                client.awaitBody("id: marker\n", WAIT);
                assertTrue(client.body().contains("id: yours\n"));
                assertFalse(client.body().contains("not-yours"));
            }
        }
    }

    @Nested
    class Reconciliation {

        @Test
        void everyEventTheHubDispatchesHasAnId() throws IOException {
            String topic = topic();
            try (RawSseClient client = subscribe(topic)) {
                awaitSubscribed(topic);
                publishOk("topic", topic, "data", "no id given");
                publishOk("topic", topic, "id", "given");
                client.awaitBody("id: given\n", WAIT);
                List<SseEvents.Event> events = SseEvents.parse(client.body());
                assertEquals(2, events.size());
                events.forEach(e -> assertNotNull(e.id(), e.toString()));
            }
        }

        @Test
        void theLastEventIdMayBePassedAsTheLastEventIdQueryParameter() throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", "q1");
            publishOk("topic", topic, "id", "q2");
            try (RawSseClient client = RawSseClient.open(server.port(), HUB + "?topic=" + encode(topic)
                    + "&lastEventID=q1")) {
                client.awaitBody("id: q2\n", WAIT);
                assertEquals(List.of("q2"), SseEvents.ids(client.body()));
            }
        }

        @Test
        void theLastEventIdHeaderTakesPrecedenceOverTheQueryParameter() throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", "p1");
            publishOk("topic", topic, "id", "p2");
            publishOk("topic", topic, "id", "p3");
            try (RawSseClient client = RawSseClient.open(server.port(), HUB + "?topic=" + encode(topic)
                    + "&lastEventID=p1", "Last-Event-ID: p2")) {
                client.awaitBody("id: p3\n", WAIT);
                assertEquals(List.of("p3"), SseEvents.ids(client.body()));
            }
        }

        @Test
        void aRequestWithALastEventIdGetsALastEventIdResponseHeader() throws IOException {
            String topic = topic();
            try (RawSseClient withHeader = subscribe(topic, "Last-Event-ID: anything");
                 RawSseClient withQuery = RawSseClient.open(server.port(), HUB + "?topic=" + encode(topic)
                         + "&lastEventID=anything");
                 RawSseClient without = subscribe(topic)) {
                assertNotNull(withHeader.header("Last-Event-ID"));
                withQuery.awaitHead(WAIT);
                assertNotNull(withQuery.header("Last-Event-ID"));
                assertEquals(null, without.header("Last-Event-ID"));
            }
        }

        @Test
        void theResponsesLastEventIdIsTheEventPrecedingTheFirstOneSentOrEarliest() throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", "r1");
            publishOk("topic", topic, "id", "r2");
            try (RawSseClient known = subscribe(topic, "Last-Event-ID: r1");
                 RawSseClient earliest = subscribe(topic, "Last-Event-ID: earliest");
                 RawSseClient unknown = subscribe(topic, "Last-Event-ID: does-not-exist")) {
                assertEquals("r1", known.header("Last-Event-ID"));
                assertEquals("earliest", earliest.header("Last-Event-ID"));
                assertEquals("earliest", unknown.header("Last-Event-ID"));
                known.awaitBody("id: r2\n", WAIT);
                assertEquals(List.of("r2"), SseEvents.ids(known.body()));
            }
        }
    }

    @Nested
    class ActiveSubscriptions {

        @Test
        void anUpdateIsPublishedEveryTimeASubscriptionIsCreatedOrTerminated() throws Exception {
            try (Watcher watcher = new Watcher()) {
                String topic = topic();
                RawSseClient client = subscribe(topic);
                awaitSubscribed(topic);
                watcher.client.awaitBody("\"active\":true", WAIT);
                client.fin();
                watcher.client.awaitBody("\"active\":false", WAIT);
                client.close();
            }
        }

        @Test
        void theTopicOfASubscriptionUpdateExpandsTheSubscriptionsTemplate() throws Exception {
            String topic = topic();
            try (Started started = Started.subscribing(topic)) {
                assertEquals(API + "/" + encode(topic) + "/" + encode(started.subscriber.id()),
                        started.event.get("id").asText());
            }
        }

        @Test
        void reservedCharactersArePercentEncodedInTheExpansion() throws Exception {
            try (Started started = Started.subscribing("https://example.com/{id}")) {
                String id = started.event.get("id").asText();
                String expanded = id.substring(API.length() + 1);
                assertTrue(expanded.startsWith("https%3A%2F%2Fexample.com%2F%7Bid%7D/urn%3Auuid%3A"), id);
                assertFalse(expanded.substring(0, expanded.indexOf('/')).matches(".*[:/{}].*"), id);
            }
        }

        @Test
        void aSubscriptionUpdateIsAJsonLdDocumentWithContextIdTypeTopicSubscriberAndActive() throws Exception {
            String topic = topic();
            try (Started started = Started.subscribing(topic)) {
                JsonNode event = started.event;
                assertEquals("https://mercure.rocks/", event.get("@context").asText());
                assertEquals("Subscription", event.get("type").asText());
                assertEquals(topic, event.get("topic").asText());
                assertEquals(started.subscriber.id(), event.get("subscriber").asText());
                assertTrue(event.get("active").asBoolean());
            }
        }

        @Test
        void aSubscriptionDocumentsIdIsTheTopicOfItsUpdate() throws Exception {
            try (Started started = Started.subscribing(topic())) {
                String id = started.event.get("id").asText();
                // Subscribing to exactly that id replays the event: it is the update's topic.
                try (RawSseClient replay = subscribe(id, bearer(Tokens.subscriber(TestServer.KEY, "*")),
                        "Last-Event-ID: earliest")) {
                    replay.awaitBody("\"active\":true", WAIT);
                    assertEquals(id, JSON.readTree(SseEvents.parse(replay.body()).get(0).data()).get("id").asText());
                }
            }
        }

        @Test
        void subscriptionUpdatesAreMarkedPrivate() throws IOException {
            try (RawSseClient anonymous = subscribe(SUBSCRIPTION_EVENTS)) {
                awaitSubscribed(SUBSCRIPTION_EVENTS);
                String topic = topic();
                try (RawSseClient client = subscribe(topic)) {
                    awaitSubscribed(topic);
                }
                publishOk("topic", topic(), "id", "marker");
                assertEquals(400, publish("topic", API + "/x/y").status(), "publishers cannot forge them either");
                try (RawSseClient everything = subscribe("*", "Last-Event-ID: earliest")) {
                    everything.awaitBody("id: marker\n", WAIT);
                    assertFalse(everything.body().contains("\"type\":\"Subscription\""), "an anonymous replay");
                }
                assertFalse(anonymous.body().contains("Subscription"));
            }
        }

        @Test
        void theWebApiExposesTheCollectionTheTopicCollectionAndEachSubscription() throws IOException {
            String topic = topic();
            try (RawSseClient client = subscribe(topic)) {
                Subscriber s = server.awaitSubscriber(topic);
                String reader = Tokens.subscriber(TestServer.KEY, "*");
                assertEquals(200, http.get(server.uri(API), reader).status());
                assertEquals(200, http.get(server.uri(API + "/" + encode(topic)), reader).status());
                assertEquals(200, http.get(server.uri(API + "/" + encode(topic) + "/" + encode(s.id())), reader)
                        .status());
            }
        }

        @Test
        void theWebApiNeedsATokenWhoseSubscribeSelectorsMatchTheRequestedUrl() throws IOException {
            assertEquals(401, http.get(server.uri(API), null).status());
            assertEquals(403, http.get(server.uri(API), Tokens.subscriber(TestServer.KEY, "https://other")).status());
            assertEquals(200, http.get(server.uri(API), Tokens.subscriber(TestServer.KEY, API)).status());
            assertEquals(200, http.get(server.uri(API + "/" + encode("https://example.com/a")),
                    Tokens.subscriber(TestServer.KEY, API + "{/topic}")).status());
        }

        @Test
        void theWebApiAnswersApplicationLdJson() throws IOException {
            assertEquals("application/ld+json",
                    http.get(server.uri(API), Tokens.subscriber(TestServer.KEY, "*")).header("Content-Type"));
        }

        @Test
        void aSingleSubscriptionIsTheDocumentOfItsEventsAndAnUnknownOneIs404() throws Exception {
            String topic = topic();
            try (Started started = Started.subscribing(topic)) {
                JsonNode single = JSON.readTree(http.get(server.uri(API + "/" + encode(topic) + "/"
                        + encode(started.subscriber.id())), Tokens.subscriber(TestServer.KEY, "*")).body());
                for (String field : List.of("@context", "id", "type", "topic", "subscriber", "active")) {
                    assertEquals(started.event.get(field), single.get(field), field);
                }
                assertEquals(404, http.get(server.uri(API + "/" + encode(topic) + "/urn%3Anobody"),
                        Tokens.subscriber(TestServer.KEY, "*")).status());
            }
        }

        @Test
        void collectionsHaveContextIdTypeAndSubscriptions() throws IOException {
            JsonNode body = JSON.readTree(http.get(server.uri(API), Tokens.subscriber(TestServer.KEY, "*")).body());
            assertEquals("https://mercure.rocks/", body.get("@context").asText());
            assertEquals(API, body.get("id").asText());
            assertEquals("Subscriptions", body.get("type").asText());
            assertTrue(body.get("subscriptions").isArray());
        }

        @Test
        void everyEndpointSetsLastEventIdWhichIsEarliestBeforeAnyEvent() throws IOException {
            try (TestServer fresh = TestServer.start(Map.of())) {
                String reader = Tokens.subscriber(TestServer.KEY, "*");
                assertEquals("earliest", JSON.readTree(http.get(fresh.uri(API), reader).body())
                        .get("lastEventID").asText());
                assertEquals("earliest", JSON.readTree(http.get(fresh.uri(API + "/x"), reader).body())
                        .get("lastEventID").asText());
                Http.Response published = http.publish(fresh.uri(HUB), fresh.publisherToken(), "topic", "t",
                        "id", "last");
                assertEquals(200, published.status());
                assertEquals("last", JSON.readTree(http.get(fresh.uri(API), reader).body())
                        .get("lastEventID").asText());
            }
        }
    }

    @Nested
    class SecurityConsiderations {

        @Test
        void aCookieAuthorizedPublishFromAnotherOriginIsRefused() throws Exception {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri(HUB))
                    .header("Cookie", "mercureAuthorization=" + server.publisherToken())
                    .header("Origin", "https://attacker.example")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("topic=t")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), r.body());
        }
    }

    // helpers

    /** A subscriber to every subscription event, with a token that may read them. */
    private static final class Watcher implements AutoCloseable {
        final RawSseClient client;

        Watcher() throws IOException {
            client = subscribe(SUBSCRIPTION_EVENTS, bearer(Tokens.subscriber(TestServer.KEY, SUBSCRIPTION_EVENTS)));
            awaitSubscribed(SUBSCRIPTION_EVENTS);
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }

    /** A subscription started while a watcher follows subscription events, and the event announcing it. */
    private static final class Started implements AutoCloseable {
        final Watcher watcher;
        final RawSseClient client;
        final Subscriber subscriber;
        final JsonNode event;

        private Started(Watcher watcher, RawSseClient client, Subscriber subscriber, JsonNode event) {
            this.watcher = watcher;
            this.client = client;
            this.subscriber = subscriber;
            this.event = event;
        }

        static Started subscribing(String topic) throws IOException {
            Watcher watcher = new Watcher();
            RawSseClient client = subscribe(topic);
            Subscriber subscriber = server.awaitSubscriber(topic);
            // the event of this subscriber: another test's subscriber may start or end while the watcher follows
            String mark = "\"subscriber\":\"" + subscriber.id() + "\"";
            watcher.client.awaitBody(mark, WAIT);
            JsonNode event = JSON.readTree(SseEvents.parse(watcher.client.body()).stream()
                    .filter(e -> e.data().contains(mark)).findFirst().orElseThrow().data());
            return new Started(watcher, client, subscriber, event);
        }

        @Override
        public void close() throws IOException {
            client.close();
            watcher.close();
        }
    }

    private static String topic() {
        return "https://example.com/conformance/" + UUID.randomUUID();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String bearer(String token) {
        return "Authorization: Bearer " + token;
    }

    private static RawSseClient subscribe(String topic, String... headers) throws IOException {
        RawSseClient client = RawSseClient.open(server.port(), HUB + "?topic=" + encode(topic), headers);
        client.awaitHead(WAIT);
        return client;
    }

    private static int status(String pathAndQuery, String... headers) throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), pathAndQuery, headers)) {
            return client.awaitHead(WAIT);
        }
    }

    private static void awaitSubscribed(String... topics) {
        for (String topic : topics) {
            server.awaitSubscriber(topic);
        }
    }

    private static void awaitCount(String topic, int count) {
        Poll.until(WAIT, count + " subscribers of " + topic,
                () -> server.hub().subscribers().stream().filter(s -> s.topics().contains(topic)).count() == count);
    }

    private static Http.Response publish(String... fields) throws IOException {
        return http.publish(server.uri(HUB), server.publisherToken(), fields);
    }

    private static void publishOk(String... fields) throws IOException {
        Http.Response r = publish(fields);
        assertEquals(200, r.status(), r.body());
    }
}
