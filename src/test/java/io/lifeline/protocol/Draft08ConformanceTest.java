package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.SseEvents;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import io.lifeline.topic.Matcher;
import java.io.IOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The MUSTs of Mercure 1.0 (draft-dunglas-mercure-08, the reference hub's {@code spec/mercure.md} at
 * v1.0.0-alpha.3) that Lifeline meets so far, named after the requirement, on the same hub as draft-07.
 * docs/conformance.md maps each MUST of the text to its test, or says that it is not met yet.
 */
class Draft08ConformanceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HUB = "/.well-known/mercure";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A self-issuing publisher the hub trusts; draft-07 tokens are signed with {@link TestServer#KEY}. */
    private static final AccessTokenIssuer ISSUER = new AccessTokenIssuer("https://publisher.example.com");
    /** Where the hub's protected resource metadata is, derived from its resource identifier (RFC 9728, 3.1). */
    private static final String METADATA =
            "https://hub.example.com/.well-known/oauth-protected-resource/.well-known/mercure";

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(ISSUER.settings());
        http = new Http();
    }

    @AfterAll
    static void stop() throws IOException {
        http.close();
        server.close();
    }

    @Nested
    class Subscription {

        @Test
        void theBareMatchParameterIsAnExactCaseSensitiveByteForByteMatcher() throws IOException {
            String book = topic();
            String template = "https://example.com/conformance/{id}";
            String upper = book.toUpperCase(Locale.ROOT);
            try (RawSseClient exact = subscribe("match", book);
                 RawSseClient literal = subscribe("match", template);
                 RawSseClient upperCase = subscribe("match", upper)) {
                awaitMatchers(Matcher.exact(book), Matcher.exact(template), Matcher.exact(upper));
                publishOk("topic", book, "id", id("book"));
                publishOk("topic", template, "id", id("literal"));
                publishOk("topic", book, "topic", template, "topic", upper, "id", id("last"));
                for (RawSseClient client : List.of(exact, literal, upperCase)) {
                    client.awaitBody("id: " + id("last") + "\n", WAIT);
                }
                assertTrue(exact.body().contains("id: " + id("book") + "\n"));
                assertTrue(literal.body().contains("id: " + id("literal") + "\n"));
                assertFalse(exact.body().contains(id("literal")), "a matcher value is no template");
                assertFalse(literal.body().contains(id("book")), "a matcher value is no template");
                assertFalse(upperCase.body().contains(id("book")), "exact matching is case-sensitive");
            }
        }

        @Test
        void matchExactIsTheExplicitSpellingOfTheExactMatcherType() throws IOException {
            String topic = topic();
            try (RawSseClient client = subscribe("match_exact", topic)) {
                awaitMatchers(Matcher.exact(topic));
                publishOk("topic", topic, "id", id("explicit"));
                client.awaitBody("id: " + id("explicit") + "\n", WAIT);
            }
        }

        @Test
        void theMatcherValueStarMatchesEveryTopic() throws IOException {
            try (RawSseClient everything = subscribe("match", "*")) {
                awaitMatchers(Matcher.exact("*"));
                publishOk("topic", topic(), "id", id("any"));
                everything.awaitBody("id: " + id("any") + "\n", WAIT);
            }
        }

        @Test
        void aSubscriptionIsCreatedForEveryMatcherParameter() throws IOException {
            String first = topic();
            String second = topic();
            try (RawSseClient client = RawSseClient.open(server.port(),
                    HUB + "?match=" + encode(first) + "&match_exact=" + encode(second))) {
                assertEquals(200, client.awaitHead(WAIT));
                awaitMatchers(Matcher.exact(first), Matcher.exact(second));
                publishOk("topic", first, "id", id("first"));
                publishOk("topic", second, "id", id("second"));
                client.awaitBody("id: " + id("second") + "\n", WAIT);
                assertTrue(client.body().contains("id: " + id("first") + "\n"));
            }
        }

        @Test
        void aNameInTheReservedMatchNamespaceThatIsNoSupportedMatcherTypeIsRejectedWith400() throws IOException {
            for (String name : List.of("Match", "MATCH", "match_EXACT", "matchfoo", "match_regex", "match_",
                    "%6Datch_other")) {
                String query = name + "=" + encode(topic());
                assertRefused(query, "reserved");
            }
        }

        @Test
        void aMatcherTypeTheHubDoesNotSupportIsRejectedWith400() throws IOException {
            assertRefused("match_urlpattern=" + encode("https://example.com/books/:id"), "urlpattern");
        }

        @Test
        void aRequestNamingNoTopicAtAllSaysHowEitherDialectNamesThem() throws IOException {
            assertRefused("", "\"match\" (Mercure 1.0)");
        }

        @Test
        void aMatcherValueMustBeValidUtf8() throws IOException {
            assertRefused("match=%FF", "UTF-8");
            assertRefused("match=%C3", "UTF-8");
        }

        @Test
        void aMatcherValueMustNotHoldControlCharacters() throws IOException {
            for (String escaped : List.of("%00", "%1F", "%7F", "%C2%80", "%C2%9F")) {
                assertRefused("match=a" + escaped + "b", "control character");
            }
        }

        @Test
        void aMatcherValueMustNotHoldUnicodeFormatCharacters() throws IOException {
            for (String escaped : List.of("%E2%80%8B", "%E2%80%8E", "%EF%BB%BF", "%C2%AD")) {
                assertRefused("match=a" + escaped + "b", "format character");
            }
            String accented = "https://example.com/ça-va/" + UUID.randomUUID();
            try (RawSseClient client = subscribe("match", accented)) {
                awaitMatchers(Matcher.exact(accented));
            }
        }

        @Test
        void requestsOverTheHubsLimitsOnMatchersAreRejectedWith400() throws IOException {
            StringBuilder many = new StringBuilder();
            for (int i = 0; i <= Limits.MAX_TOPICS; i++) {
                many.append(i == 0 ? "" : "&").append("match=t").append(i);
            }
            assertRefused(many.toString(), "too many");
            assertRefused("match=" + "x".repeat(Limits.MAX_TOPIC_LENGTH + 1), "longer than");
        }

        @Test
        void aSubscriptionNamingTopicsBothWaysIsRejectedWith400() throws IOException {
            assertRefused("topic=" + encode(topic()) + "&match=" + encode(topic()), "not both");
        }

        @Test
        void aPrivateUpdateIsNeverDispatchedToASubscriberNotAuthorizedForIt() throws IOException {
            String topic = topic();
            try (RawSseClient anonymous = subscribe("match", topic);
                 RawSseClient authorized = subscribe("match", topic,
                         "Authorization: Bearer " + ISSUER.subscriber(topic))) {
                assertOnlyTheFirstReceivesAPrivateUpdate(topic, authorized, anonymous, "private");
            }
        }
    }

    /** Section "Subscription": the parameters in the body of a {@code QUERY} request (RFC 10008). */
    @Nested
    class QueryBodies {

        @Test
        void matcherParametersInAQueryBodySubscribeAsTheyWouldInTheQueryComponent() throws IOException {
            String first = topic();
            String second = topic();
            try (RawSseClient client = RawSseClient.query(server.port(), HUB,
                    "match=" + encode(first) + "&match_exact=" + encode(second))) {
                assertEquals(200, client.awaitHead(WAIT), client.body());
                assertEquals(1, client.headers("Link").size(), "the hub's headers once: " + client.headers("Link"));
                awaitMatchers(Matcher.exact(first), Matcher.exact(second));
                publishOk("topic", second, "id", id("query-body"));
                client.awaitBody("id: " + id("query-body") + "\n", WAIT);
            }
        }

        @Test
        void theHubMustTakeTheUnionOfTheQueryComponentAndTheBody() throws IOException {
            String inQuery = topic();
            String inBody = topic();
            try (RawSseClient client = RawSseClient.query(server.port(), HUB + "?match=" + encode(inQuery),
                    "match=" + encode(inBody))) {
                assertEquals(200, client.awaitHead(WAIT), client.body());
                List<Subscriber> subscribers = awaitMatchers(Matcher.exact(inQuery), Matcher.exact(inBody));
                assertEquals(subscribers.get(0), subscribers.get(1), "one subscription with both matchers");
            }
        }

        @Test
        void aLastEventIdInBothMustBeTakenFromTheQueryComponent() throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", id("union-a"));
            publishOk("topic", topic, "id", id("union-b"));
            try (RawSseClient client = RawSseClient.query(server.port(),
                    HUB + "?last_event_id=" + encode(id("union-a")),
                    "match=" + encode(topic) + "&last_event_id=" + encode(id("union-b")))) {
                assertEquals(200, client.awaitHead(WAIT), client.body());
                assertEquals(id("union-a"), client.header("Mercure-Last-Event-ID"));
                client.awaitBody("id: " + id("union-b") + "\n", WAIT);
            }
        }

        @Test
        void theReservedNamespaceAndValueRulesApplyToBodyNamesAndValues() throws IOException {
            assertQueryRefused(400, "match=" + encode(topic()) + "&MATCH_foo=x", "MATCH_foo");
            assertQueryRefused(400, "match=a%07b", "control character");
            assertQueryRefused(400, "match=%ZZ", "percent");
        }

        @Test
        void aBodyThatIsNotAFormIsRefusedWith415NamingTheFormInAcceptQuery() throws IOException {
            try (RawSseClient client = RawSseClient.query(server.port(), HUB, "{\"match\": \"x\"}",
                    "Content-Type: application/json")) {
                assertEquals(415, client.awaitHead(WAIT));
                assertEquals("application/x-www-form-urlencoded", client.header("Accept-Query"));
            }
        }

        @Test
        void aBodyOverTheLimitIsRefusedWith413BeforeItIsRead() throws IOException {
            assertEquals("HTTP/1.1 413", statusOfABodyThatNeverArrives(Limits.MAX_SUBSCRIPTION_BODY_BYTES + 1));
        }

        @Test
        void anInvalidTokenIsRefusedBeforeTheBodyIsRead() throws IOException {
            // the body never comes: a hub that waited for it would answer only after its 10 s body timeout
            assertEquals("HTTP/1.1 401", statusOfABodyThatNeverArrives(100, "Authorization: Bearer not-a-token"));
        }

        @Test
        void aQuerySubscribersFinIsNoticedAsForAGet() throws IOException {
            String topic = topic();
            try (RawSseClient client = RawSseClient.query(server.port(), HUB, "match=" + encode(topic))) {
                assertEquals(200, client.awaitHead(WAIT), client.body());
                Subscriber subscriber = awaitMatchers(Matcher.exact(topic)).get(0);
                client.fin();
                Poll.until(WAIT, "the subscriber ended", subscriber::isEnded);
                assertEquals(EndReason.CLIENT_CLOSED, subscriber.endReason());
            }
        }

        /**
         * The start of the status line answering a {@code QUERY} that declares a form body of {@code length} bytes
         * and sends none of it; fails unless it comes within {@link #WAIT}.
         */
        private String statusOfABodyThatNeverArrives(long length, String... headers) throws IOException {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout((int) WAIT.toMillis());
                StringBuilder head = new StringBuilder("QUERY " + HUB + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + length + "\r\n");
                for (String header : headers) {
                    head.append(header).append("\r\n");
                }
                socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
                return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            }
        }

        private void assertQueryRefused(int status, String body, String reason) throws IOException {
            try (RawSseClient client = RawSseClient.query(server.port(), HUB, body)) {
                assertEquals(status, client.awaitHead(WAIT), body);
                client.awaitBody(reason, WAIT);
            }
        }
    }

    @Nested
    class Reconciliation {

        @Test
        void theHubAcceptsTheLastEventIdInTheLastEventIdQueryParameterAndAnswersMercureLastEventId()
                throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", id("before"));
            publishOk("topic", topic, "id", id("missed"));
            try (RawSseClient client = RawSseClient.open(server.port(),
                    HUB + "?match=" + encode(topic) + "&last_event_id=" + encode(id("before")))) {
                assertEquals(200, client.awaitHead(WAIT));
                client.awaitBody("id: " + id("missed") + "\n", WAIT);
                assertFalse(client.body().contains("id: " + id("before") + "\n"));
                assertEquals(id("before"), client.header("Mercure-Last-Event-ID"));
            }
        }

        @Test
        void theLastEventIdHeaderTakesPrecedenceOverTheQueryParameter() throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", id("one"));
            publishOk("topic", topic, "id", id("two"));
            publishOk("topic", topic, "id", id("three"));
            try (RawSseClient client = RawSseClient.open(server.port(),
                    HUB + "?match=" + encode(topic) + "&last_event_id=" + encode(id("one")),
                    "Last-Event-ID: " + id("two"))) {
                assertEquals(200, client.awaitHead(WAIT));
                client.awaitBody("id: " + id("three") + "\n", WAIT);
                assertFalse(client.body().contains("id: " + id("two") + "\n"), "replayed from the header's id");
                assertEquals(id("two"), client.header("Mercure-Last-Event-ID"));
            }
        }

        @Test
        void theOtherDialectsLastEventIdParameterIsHonouredRatherThanSilentlyIgnored() throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", id("mixed-one"));
            publishOk("topic", topic, "id", id("mixed-two"));
            try (RawSseClient mercure10 = RawSseClient.open(server.port(),
                    HUB + "?match=" + encode(topic) + "&lastEventID=" + encode(id("mixed-one")));
                 RawSseClient draft07 = RawSseClient.open(server.port(),
                         HUB + "?topic=" + encode(topic) + "&last_event_id=" + encode(id("mixed-one")))) {
                mercure10.awaitBody("id: " + id("mixed-two") + "\n", WAIT);
                draft07.awaitBody("id: " + id("mixed-two") + "\n", WAIT);
                assertEquals(id("mixed-one"), mercure10.header("Mercure-Last-Event-ID"));
                assertEquals(id("mixed-one"), draft07.header("Last-Event-ID"));
            }
        }

        @Test
        void mercureLastEventIdIsEarliestWhenTheRequestedEventIsNotHeld() throws IOException {
            String topic = topic();
            try (RawSseClient client = RawSseClient.open(server.port(),
                    HUB + "?match=" + encode(topic) + "&last_event_id=" + encode(id("never-published")))) {
                assertEquals(200, client.awaitHead(WAIT));
                assertEquals("earliest", client.header("Mercure-Last-Event-ID"));
                assertEquals(null, client.header("Last-Event-ID"), "the draft-07 header is not the 1.0 one");
            }
        }

        @Test
        void replayedPrivateEventsAreReauthorizedAgainstTheCurrentToken() throws IOException {
            String topic = topic();
            publishOk("topic", topic, "id", id("start"));
            publishOk("topic", topic, "id", id("secret"), "private", "on");
            publishOk("topic", topic, "id", id("open"));
            try (RawSseClient anonymous = RawSseClient.open(server.port(),
                    HUB + "?match=" + encode(topic) + "&last_event_id=" + encode(id("start")))) {
                anonymous.awaitBody("id: " + id("open") + "\n", WAIT);
                assertFalse(anonymous.body().contains(id("secret")));
            }
        }
    }

    @Nested
    class SubscriptionEvents {

        private static final String EVENTS = "/.well-known/mercure/subscriptions/exact/{match}/{subscriber}";
        /** A public topic observers also follow: an update on it comes after every event published before it. */
        private static final String BARRIER = "https://example.com/conformance/barrier";

        @Test
        void theHubPublishesAnEventOfTypeMercureEveryTimeASubscriptionIsCreatedOrTerminated() throws IOException {
            String book = topic();
            try (RawSseClient observer = observe()) {
                RawSseClient reader = subscribe("match", book);
                Subscriber subscriber = awaitMatchers(Matcher.exact(book)).get(0);
                String id = "/.well-known/mercure/subscriptions/exact/" + encode(book) + "/" + encode(subscriber.id());
                SseEvents.Event started = awaitEvent(observer, subscriber, true);
                assertEquals("mercure", started.type(), "the SSE event of a subscription event");
                JsonNode document = JSON.readTree(started.data());
                assertEquals(id, document.get("id").asText(), "the id is the update's topic");
                assertEquals("subscription", document.get("type").asText());
                assertEquals("exact", document.get("match_type").asText());
                assertEquals(book, document.get("match").asText());
                assertEquals(subscriber.id(), document.get("subscriber").asText());
                assertTrue(document.get("active").asBoolean());
                assertFalse(document.has("@context"), "plain JSON, not JSON-LD");

                reader.fin();
                JsonNode ended = JSON.readTree(awaitEvent(observer, subscriber, false).data());
                assertEquals(id, ended.get("id").asText());
                reader.close();
            }
        }

        @Test
        void eachVariableOfTheTopicIsPercentEncodedOnceAsAWhole() throws IOException {
            String odd = "https://example.com/a%20b/{x}?q=1&r=" + UUID.randomUUID();
            try (RawSseClient observer = observe(); RawSseClient reader = subscribe("match", odd)) {
                Subscriber subscriber = awaitMatchers(Matcher.exact(odd)).get(0);
                JsonNode document = JSON.readTree(awaitEvent(observer, subscriber, true).data());
                assertEquals("/.well-known/mercure/subscriptions/exact/"
                        + URLEncoder.encode(odd, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                        + "/" + encode(subscriber.id()), document.get("id").asText());
                assertTrue(document.get("id").asText().contains("a%2520b"), "a % in the matcher is itself encoded");
            }
        }

        @Test
        void aDraft07SubscriptionIsShownTo10ObserversAsTheExactMatcherItIsEquivalentTo() throws IOException {
            String book = topic();
            String template = "https://example.com/conformance/{id}/" + UUID.randomUUID();
            try (RawSseClient observer = observe();
                 RawSseClient exact = RawSseClient.open(server.port(), HUB + "?topic=" + encode(book));
                 RawSseClient templated = RawSseClient.open(server.port(), HUB + "?topic=" + encode(template))) {
                Subscriber subscriber = awaitMatchers(Matcher.selector(book), Matcher.selector(template)).get(0);
                publishOk("topic", BARRIER, "id", id("after-both")); // after both subscribers' events
                observer.awaitBody("id: " + id("after-both") + "\n", WAIT);
                assertTrue(observer.body().contains("\"subscriber\":\"" + subscriber.id() + "\""), observer.body());
                assertTrue(observer.body().contains("\"match\":\"" + book + "\""), observer.body());
                assertFalse(observer.body().contains(template), "a URI template has no 1.0 equivalent here yet");
            }
        }

        @Test
        void aPublishWhoseTypeIsMercureIsRejectedWith400() throws IOException {
            Http.Response forged = http.publish(server.uri(HUB), server.publisherToken(), "topic", topic(),
                    "type", "mercure", "data", "{}");
            assertEquals(400, forged.status());
            assertTrue(forged.body().contains("\"type\" must not be mercure"), forged.body());
        }

        /** A draft-07 observer whose token's selector matches every 1.0 exact subscription event, and the barrier. */
        private RawSseClient observe() throws IOException {
            RawSseClient observer = RawSseClient.open(server.port(),
                    HUB + "?topic=" + encode(EVENTS) + "&topic=" + encode(BARRIER),
                    "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, EVENTS));
            assertEquals(200, observer.awaitHead(WAIT));
            observer.awaitBody(":\n\n", WAIT); // written once it is in the topic index
            return observer;
        }

        /** The subscriber's start (or end) event among those the observer received. */
        private SseEvents.Event awaitEvent(RawSseClient observer, Subscriber subscriber, boolean active)
                throws IOException {
            String mark = "\"subscriber\":\"" + subscriber.id() + "\",\"active\":" + active;
            observer.awaitBody(mark, WAIT);
            return SseEvents.parse(observer.body()).stream().filter(e -> e.data().contains(mark)).findFirst()
                    .orElseThrow();
        }
    }

    /** Section "Publication", for a publisher presenting a 1.0 access token. */
    @Nested
    class Publication {

        @Test
        void everyTopicMustNotAddressTheReservedHubNamespaceOnceResolvedAgainstTheHubsUrl() throws IOException {
            for (String topic : List.of("https://hub.example.com/.well-known/mercure/subscriptions/exact/a/b",
                    "/.well-known/%6Dercure/subscriptions/x", "/.well-known/mercure/../mercure/x",
                    "/.well-known/.%2E/.well-known/mercure", "mercure/subscriptions/x", "#fragment-only")) {
                assertPublishRefused(400, "reserved namespace", "topic", topic(), "topic", topic);
            }
            assertEquals(200, http.publish(server.uri(HUB), ISSUER.publisher("*"), "topic",
                    "https://example.com/.well-known/mercure-docs").status());
        }

        @Test
        void everyTopicMustNotBeExactlyStar() throws IOException {
            assertPublishRefused(400, "wildcard", "topic", topic(), "topic", "*");
        }

        @Test
        void topicsIdsAndTypesMustNotHoldControlOrFormatCharacters() throws IOException {
            assertPublishRefused(400, "control character U+0007", "topic", topic() + "\u0007");
            assertPublishRefused(400, "format character U+200B", "topic", topic() + "\u200B");
            assertPublishRefused(400, "control character U+0085", "topic", topic(), "id", "urn:x:\u0085");
            assertPublishRefused(400, "format character U+FEFF", "topic", topic(), "type", "a\uFEFFb");
        }

        @Test
        void anIdMustNotStartWithHashOrBeEarliest() throws IOException {
            assertPublishRefused(400, "'#'", "topic", topic(), "id", "#1");
            assertPublishRefused(400, "earliest", "topic", topic(), "id", "earliest");
        }

        @Test
        void retryMustConsistSolelyOfAsciiDigits() throws IOException {
            assertPublishRefused(400, "digits only", "topic", topic(), "retry", "1e3");
            assertPublishRefused(400, "digits only", "topic", topic(), "retry", "\u0661\u0662");
        }

        @Test
        void requestsExceedingTheHubsLimitsMustBeRejectedWith413() throws IOException {
            String[] many = new String[2 * 101];
            for (int i = 0; i < 101; i++) {
                many[2 * i] = "topic";
                many[2 * i + 1] = topic();
            }
            assertPublishRefused(413, "too many", many);
            assertPublishRefused(413, "longer than 2048", "topic", topic() + "x".repeat(2048));
            assertPublishRefused(413, "longer than 1024", "topic", topic(), "id", "x".repeat(1025));
        }

        @Test
        void onSuccessTheBodyIsTheUpdatesIdAsPlainTextUtf8() throws IOException {
            Http.Response r = http.publish(server.uri(HUB), ISSUER.publisher("*"), "topic", topic(), "id",
                    id("plain"));

            assertEquals(200, r.status());
            assertEquals("text/plain;charset=utf-8",
                    r.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT));
            assertEquals(id("plain"), r.body().strip());
        }

        @Test
        void aDraft07PublisherKeepsDraft07sRuleOnValuesButNotTheReservedNamespace() throws IOException {
            Http.Response formatCharacter = http.publish(server.uri(HUB), server.publisherToken(), "topic",
                    topic() + "\u200B");
            assertEquals(200, formatCharacter.status(), formatCharacter.body());
            Http.Response reserved = http.publish(server.uri(HUB), server.publisherToken(), "topic",
                    "/.well-known/%6Dercure/subscriptions/exact/a/b");
            assertEquals(400, reserved.status(), reserved.body());
        }

        private void assertPublishRefused(int status, String reason, String... fields) throws IOException {
            Http.Response r = http.publish(server.uri(HUB), ISSUER.publisher("*"), fields);
            assertEquals(status, r.status(), String.join(" ", fields) + ": " + r.body());
            assertTrue(r.body().contains(reason), r.body());
        }
    }

    /** Sections "Authorization", "Error Responses", "Publishers", "Subscribers": access tokens over HTTP. */
    @Nested
    class Authorization {

        @Test
        void aTokenThatIsNotAnAccessTokenIsReadAsDraft07AndTheRefusalSaysWhatA10TokenNeeds() throws IOException {
            String untyped = ISSUER.token().header(new JWSHeader.Builder(JWSAlgorithm.EdDSA)).grant(List.of("publish"),
                    "*").sign();

            Http.Response r = http.publish(server.uri(HUB), untyped, "topic", topic());

            assertEquals(401, r.status());
            assertTrue(r.body().contains("typ at+jwt"), r.body());
        }

        @Test
        void ifNoTokenIsPresentedTheHubMustReturn401WithABearerChallengeAndNoErrorCode() throws IOException {
            Http.Response r = http.publish(server.uri(HUB), null, "topic", topic(), "data", "x");

            assertEquals(401, r.status(), r.body());
            assertEquals("Bearer resource_metadata=\"" + METADATA + "\"", r.header("WWW-Authenticate"));
        }

        @Test
        void aTokenThatFailsValidationMustGet401WithInvalidToken() throws IOException {
            String expired = ISSUER.token().grant(List.of("publish"), "*")
                    .claims(c -> c.expirationTime(Date.from(Instant.now().minusSeconds(60)))).sign();

            Http.Response r = http.publish(server.uri(HUB), expired, "topic", topic(), "data", "x");

            assertEquals(401, r.status(), r.body());
            assertEquals("Bearer error=\"invalid_token\", resource_metadata=\"" + METADATA + "\"",
                    r.header("WWW-Authenticate"));
            assertTrue(r.body().contains("expired"), r.body());
        }

        @Test
        void ifTheTokenIsNotAuthorizedForEveryTopicTheHubMustNotDispatchTheUpdateAndMustReturn403()
                throws IOException {
            String granted = topic();
            String other = topic();
            try (RawSseClient reader = subscribe("match", granted)) {
                awaitMatchers(Matcher.exact(granted));
                Http.Response r = http.publish(server.uri(HUB), ISSUER.publisher(granted), "topic", granted,
                        "topic", other, "id", id("half-granted"));

                assertEquals(403, r.status(), r.body());
                assertEquals("Bearer error=\"insufficient_scope\", resource_metadata=\"" + METADATA + "\"",
                    r.header("WWW-Authenticate"));
                Http.Response ok = http.publish(server.uri(HUB), ISSUER.publisher(granted), "topic", granted,
                        "id", id("granted"));
                assertEquals(200, ok.status(), ok.body());
                reader.awaitBody("id: " + id("granted") + "\n", WAIT);
                assertFalse(reader.body().contains(id("half-granted")));
            }
        }

        @Test
        void aPrivateUpdateIsDeliveredWhenTheTokenGrantsSubscribeOnAnAlternateTopic() throws IOException {
            String book = topic();
            String mine = "https://example.com/users/42/books/" + UUID.randomUUID();
            try (RawSseClient reader = subscribe("match", book, "Authorization: Bearer " + ISSUER.subscriber(mine))) {
                awaitMatchers(Matcher.exact(book));
                publishOk("topic", book, "id", id("canonical-only"), "private", "on");
                publishOk("topic", book, "topic", mine, "id", id("alternate"), "private", "on");
                reader.awaitBody("id: " + id("alternate") + "\n", WAIT);
                assertFalse(reader.body().contains(id("canonical-only")), "routing never widens what a token reads");
            }
        }

        @Test
        void aMercure10PublisherReachesDraft07AndMercure10SubscribersIncludingPrivately() throws IOException {
            String topic = "https://example.com/books/" + UUID.randomUUID();
            try (RawSseClient draft07 = RawSseClient.open(server.port(), HUB + "?topic="
                    + encode("https://example.com/books/{id}"), "Authorization: Bearer "
                    + Tokens.subscriber(TestServer.KEY, "https://example.com/books/{id}"));
                 RawSseClient mercure10 = subscribe("match", topic, "Authorization: Bearer "
                         + ISSUER.subscriber(topic))) {
                assertEquals(200, draft07.awaitHead(WAIT));
                awaitMatchers(Matcher.selector("https://example.com/books/{id}"), Matcher.exact(topic));
                Http.Response r = http.publish(server.uri(HUB), ISSUER.publisher(topic), "topic", topic,
                        "id", id("from-1.0"), "private", "on");
                assertEquals(200, r.status(), r.body());
                draft07.awaitBody("id: " + id("from-1.0") + "\n", WAIT);
                mercure10.awaitBody("id: " + id("from-1.0") + "\n", WAIT);
            }
        }

        @Test
        void aDraft07PublishersPrivateUpdateReachesAMercure10SubscriberGrantedItAndNoOther() throws IOException {
            String topic = topic();
            try (RawSseClient granted = subscribe("match", topic, "Authorization: Bearer " + ISSUER.subscriber(topic));
                 RawSseClient elsewhere = subscribe("match", topic, "Authorization: Bearer "
                         + ISSUER.subscriber(topic() + "-other"))) {
                assertOnlyTheFirstReceivesAPrivateUpdate(topic, granted, elsewhere, "draft07-private");
            }
        }

        @Test
        void anAccessTokenInTheQueryStringIsNotAcceptedButRejectedWith400InvalidRequest() throws IOException {
            try (RawSseClient client = RawSseClient.open(server.port(), HUB + "?match=" + encode(topic())
                    + "&authorization=" + ISSUER.subscriber("*"))) {
                assertEquals(400, client.awaitHead(WAIT));
                assertEquals("Bearer error=\"invalid_request\", resource_metadata=\"" + METADATA + "\"",
                    client.header("WWW-Authenticate"));
                client.awaitBody("never taken from the query string", WAIT);
            }
        }

        @Test
        void whenAnAuthorizationHeaderIsPresentItsTokenMustBeUsedAndAnyCookieIgnored() throws IOException {
            String topic = topic();
            String cookie = "Cookie: __Secure-mercure_access_token=" + ISSUER.subscriber(topic);
            try (RawSseClient headerWins = subscribe("match", topic, "Authorization: Bearer "
                    + ISSUER.subscriber(topic() + "-other"), cookie);
                 RawSseClient cookieOnly = subscribe("match", topic, cookie)) {
                assertOnlyTheFirstReceivesAPrivateUpdate(topic, cookieOnly, headerWins, "cookie-private");
            }
        }

        @Test
        void theHubMustCloseTheConnectionNoLaterThanTheTokensExp() throws IOException {
            String topic = topic();
            String shortLived = ISSUER.token().grant(List.of("subscribe"), topic)
                    .claims(c -> c.expirationTime(Date.from(Instant.now().plusSeconds(2)))).sign();
            try (RawSseClient reader = subscribe("match", topic, "Authorization: Bearer " + shortLived)) {
                assertTrue(reader.awaitEof(Duration.ofSeconds(15)), "the stream ends once the token expires");
            }
        }

        @Test
        void thePayloadOfTheFirstSubscribeDetailMatchingTheSubscriptionIsInItsSubscriptionEvent() throws IOException {
            String topic = topic();
            String token = ISSUER.token().grantWithPayload(List.of("subscribe"), "{\"label\": \"first\"}", topic)
                    .grantWithPayload(List.of("subscribe"), "{\"label\": \"default\"}", "*").sign();
            String events = "/.well-known/mercure/subscriptions/exact/{match}/{subscriber}";
            try (RawSseClient observer = RawSseClient.open(server.port(), HUB + "?topic=" + encode(events),
                    "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, events))) {
                assertEquals(200, observer.awaitHead(WAIT));
                observer.awaitBody(":\n\n", WAIT);
                try (RawSseClient reader = subscribeTwice("match", topic, "match", "urn:elsewhere:" + UUID.randomUUID(),
                        "Authorization: Bearer " + token)) {
                    Subscriber subscriber = awaitMatchers(Matcher.exact(topic)).get(0);
                    String mark = "\"subscriber\":\"" + subscriber.id() + "\"";
                    observer.awaitBodyWhere(c -> SseEvents.parse(c.body()).stream()
                            .filter(e -> e.data().contains(mark)).count() == 2, "both subscriptions announced", WAIT);
                    for (SseEvents.Event e : SseEvents.parse(observer.body())) {
                        if (e.data().contains(mark)) {
                            JsonNode doc = JSON.readTree(e.data());
                            assertEquals(doc.get("match").asText().equals(topic) ? "first" : "default",
                                    doc.path("payload").path("label").asText(), e.data());
                        }
                    }
                }
            }
        }
    }

    /** Section "Protected Resource Metadata". */
    @Nested
    class Discovery {

        @Test
        void theHubPublishesProtectedResourceMetadataAtThePathDerivedFromItsUrlWithTheResourceMember()
                throws IOException {
            Http.Response r = http.get(server.uri("/.well-known/oauth-protected-resource/.well-known/mercure"), null);

            assertEquals(200, r.status(), r.body());
            assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
            JsonNode doc = JSON.readTree(r.body());
            assertEquals(AccessTokenIssuer.RESOURCE, doc.get("resource").asText());
            assertEquals("[\"https://mercure.rocks/authorization-detail\"]",
                    doc.get("authorization_details_types_supported").toString());
            assertEquals("[\"header\"]", doc.get("bearer_methods_supported").toString());
            assertEquals("__Secure-mercure_access_token", doc.get("mercure_cookie").asText());
            assertEquals("[\"exact\"]", doc.get("mercure_matcher_types_supported").toString(),
                    "urlpattern is not supported yet, so the member must not be left out");
            assertFalse(doc.has("authorization_servers"), "self-issued tokens only");
            assertTrue(doc.get("mercure_subscriptions").asBoolean(), "the hub has the subscriptions API");
        }

        @Test
        void theChallengeOfARequestWithoutATokenIncludesResourceMetadata() throws IOException {
            Http.Response r = http.publish(server.uri(HUB), null, "topic", topic());

            assertEquals("Bearer resource_metadata=\"" + METADATA + "\"", r.header("WWW-Authenticate"));
        }

        @Test
        void aHubThatDoesNotSpeak10PublishesNoMetadata() throws IOException {
            try (TestServer draft07 = TestServer.start(Map.of(Setting.DIALECTS, "draft-07"))) {
                Http.Response r = http.get(draft07.uri("/.well-known/oauth-protected-resource/.well-known/mercure"),
                        null);
                assertEquals(404, r.status());
                Http.Response refused = http.publish(draft07.uri(HUB), null, "topic", topic());
                assertEquals("Bearer", refused.header("WWW-Authenticate"));
            }
        }
    }

    /** Section "Subscription API", asked with a 1.0 access token. */
    @Nested
    class SubscriptionApi {

        private static final String API = "/.well-known/mercure/subscriptions";

        @Test
        void theCollectionOfSubscriptionsIsPlainJsonWithIdTypeAndSubscriptionsAndTheCursorInALinkHeader()
                throws IOException {
            String book = topic();
            try (RawSseClient reader = subscribe("match", book)) {
                Subscriber subscriber = awaitMatchers(Matcher.exact(book)).get(0);
                Http.Response r = http.get(server.uri(API), ISSUER.subscriber("*"));

                assertEquals(200, r.status(), r.body());
                assertEquals("application/json", r.header("Content-Type").split(";")[0]);
                JsonNode doc = JSON.readTree(r.body());
                assertEquals(API, doc.get("id").asText());
                assertEquals("subscriptions", doc.get("type").asText());
                assertTrue(r.body().contains("\"subscriber\" : \"" + subscriber.id() + "\""), r.body());
                assertFalse(doc.has("@context"));
                String link = r.header("Link");
                assertTrue(link.startsWith("<http://127.0.0.1:" + server.port() + "/.well-known/mercure>; "
                        + "rel=\"mercure\"; last-event-id=\""), link);
                assertTrue(link.endsWith("; type=\"mercure\"; content-type=\"application/json\""), link);
            }
        }

        @Test
        void theCollectionForOneMatcherAndASingleSubscriptionUseTheEventsPathsAndDocuments() throws IOException {
            String book = topic();
            try (RawSseClient reader = subscribe("match", book)) {
                Subscriber subscriber = awaitMatchers(Matcher.exact(book)).get(0);
                String forMatcher = API + "/exact/" + encode(book);
                String single = forMatcher + "/" + encode(subscriber.id());

                JsonNode collection = JSON.readTree(http.get(server.uri(forMatcher), ISSUER.subscriber("*")).body());
                assertEquals(forMatcher, collection.get("id").asText());
                assertEquals(1, collection.get("subscriptions").size());
                Http.Response one = http.get(server.uri(single), ISSUER.subscriber("*"));
                assertEquals(200, one.status(), one.body());
                JsonNode doc = JSON.readTree(one.body());
                assertEquals(single, doc.get("id").asText(), "the same id as its subscription events' topic");
                assertEquals("subscription", doc.get("type").asText());
                assertEquals("exact", doc.get("match_type").asText());
                assertEquals(book, doc.get("match").asText());
                assertTrue(doc.get("active").asBoolean());
                assertTrue(one.header("Link").contains("rel=\"mercure\""));
            }
        }

        @Test
        void aSubscriptionThatDoesNotExistIs404() throws IOException {
            Http.Response r = http.get(server.uri(API + "/exact/" + encode(topic()) + "/urn%3Auuid%3Anobody"),
                    ISSUER.subscriber("*"));

            assertEquals(404, r.status(), r.body());
        }

        @Test
        void theRequestedPathMustBeGrantedSubscribeAsATopicElse403() throws IOException {
            String book = topic();
            String forMatcher = API + "/exact/" + encode(book);
            String onlyThis = ISSUER.subscriber(forMatcher);

            assertEquals(200, http.get(server.uri(forMatcher + "?ignored=query"), onlyThis).status());
            Http.Response all = http.get(server.uri(API), onlyThis);
            assertEquals(403, all.status(), all.body());
            assertTrue(all.header("WWW-Authenticate").startsWith("Bearer error=\"insufficient_scope\""));
        }

        @Test
        void aDraft07TokenStillGetsTheDraft07ShapeOfTheSameUrl() throws IOException {
            Http.Response r = http.get(server.uri(API), Tokens.subscriber(TestServer.KEY, API));

            assertEquals(200, r.status(), r.body());
            assertEquals("application/ld+json", r.header("Content-Type").split(";")[0]);
            assertTrue(JSON.readTree(r.body()).has("@context"));
        }
    }

    /** One hub, both dialects: a publish reaches subscribers of either, each under its own matchers. */
    @Nested
    class MixedDialects {

        @Test
        void oneUpdateReachesDraft07AndMercure10SubscribersWhoseMatchersMatchIt() throws IOException {
            String book = topic();
            String template = "https://example.com/conformance/{id}";
            try (RawSseClient draft07 = RawSseClient.open(server.port(), HUB + "?topic=" + encode(template));
                 RawSseClient mercure10 = subscribe("match", book)) {
                assertEquals(200, draft07.awaitHead(WAIT));
                awaitMatchers(Matcher.selector(template), Matcher.exact(book));
                publishOk("topic", book, "id", id("both"));
                draft07.awaitBody("id: " + id("both") + "\n", WAIT);
                mercure10.awaitBody("id: " + id("both") + "\n", WAIT);
                assertEquals(null, draft07.header("Mercure-Last-Event-ID"));
            }
        }

        @Test
        void aMercure10SubscriberIsListedInTheSubscriptionsApiAndAnnouncedToDraft07Observers() throws IOException {
            String book = topic();
            String events = "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
            try (RawSseClient observer = RawSseClient.open(server.port(), HUB + "?topic=" + encode(events),
                    "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, events))) {
                assertEquals(200, observer.awaitHead(WAIT));
                server.awaitSubscriber(events);
                try (RawSseClient mercure10 = subscribe("match", book)) {
                    Subscriber subscriber = awaitMatchers(Matcher.exact(book)).get(0);
                    observer.awaitBody("\"subscriber\":\"" + subscriber.id() + "\"", WAIT);
                    assertTrue(observer.body().contains("\"topic\":\"" + book + "\""));
                    Http.Response listed = http.get(server.uri("/.well-known/mercure/subscriptions"),
                            Tokens.subscriber(TestServer.KEY, "/.well-known/mercure/subscriptions"));
                    assertEquals(200, listed.status(), listed.body());
                    assertTrue(listed.body().contains(subscriber.id()), listed.body());
                }
            }
        }
    }

    /**
     * Once both subscribe to the topic, publishes a private update, then a public one as a barrier: the first client
     * receives both, the second only the public one.
     */
    private static void assertOnlyTheFirstReceivesAPrivateUpdate(String topic, RawSseClient granted,
                                                                 RawSseClient denied, String name) throws IOException {
        Poll.until(WAIT, "two subscribers of " + topic, () -> server.hub().subscribers().stream()
                .filter(s -> s.matchers().contains(Matcher.exact(topic))).count() == 2);
        publishOk("topic", topic, "id", id(name), "private", "on");
        publishOk("topic", topic, "id", id(name + "-barrier"));
        granted.awaitBody("id: " + id(name + "-barrier") + "\n", WAIT);
        denied.awaitBody("id: " + id(name + "-barrier") + "\n", WAIT);
        assertTrue(granted.body().contains("id: " + id(name) + "\n"));
        assertFalse(denied.body().contains(id(name)));
    }

    private static void assertRefused(String query, String reason) throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), HUB + "?" + query)) {
            assertEquals(400, client.awaitHead(WAIT), query);
            client.awaitBody(reason, WAIT);
        }
    }

    private static RawSseClient subscribe(String parameter, String value, String... headers) throws IOException {
        RawSseClient client = RawSseClient.open(server.port(), HUB + "?" + parameter + "=" + encode(value), headers);
        assertEquals(200, client.awaitHead(WAIT), parameter + "=" + value + ": " + client.body());
        return client;
    }

    /** Two matcher parameters, then header lines. */
    private static RawSseClient subscribeTwice(String parameter, String value, String parameter2, String value2,
                                               String... headers) throws IOException {
        RawSseClient client = RawSseClient.open(server.port(), HUB + "?" + parameter + "=" + encode(value) + "&"
                + parameter2 + "=" + encode(value2), headers);
        assertEquals(200, client.awaitHead(WAIT), client.body());
        return client;
    }

    /** Waits until each matcher belongs to a subscriber, and returns those subscribers in order. */
    private static List<Subscriber> awaitMatchers(Matcher... matchers) {
        return List.of(matchers).stream().map(m -> Poll.forValue(WAIT, "a subscriber with " + m,
                () -> server.hub().subscribers().stream().filter(s -> s.matchers().contains(m)).findFirst()
                        .orElse(null))).toList();
    }

    private static String topic() {
        return "https://example.com/conformance/" + UUID.randomUUID();
    }

    /** Update ids unique to this run, so that the shared hub's history never mixes two tests. */
    private static String id(String name) {
        return "urn:draft08:" + name + ":" + RUN;
    }

    private static final String RUN = UUID.randomUUID().toString();

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void publishOk(String... fields) throws IOException {
        Http.Response r = http.publish(server.uri(HUB), server.publisherToken(), fields);
        assertEquals(200, r.status(), r.body());
    }
}
