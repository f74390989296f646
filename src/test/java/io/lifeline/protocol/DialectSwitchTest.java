package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Http;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code LIFELINE_DIALECTS} leaves a dialect out: its subscriptions and its tokens are refused with the reason, the
 * other's taken.
 */
class DialectSwitchTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HUB = "/.well-known/mercure";
    private static final AccessTokenIssuer ISSUER = new AccessTokenIssuer("https://publisher.example");

    @Test
    void withOnlyDraft07AMercure10SubscriptionIsRefusedSayingSo() throws IOException {
        try (TestServer server = TestServer.start(Map.of(Setting.DIALECTS, "draft-07"))) {
            assertAnswers(server, "match=a", 400, "Mercure 1.0 subscriptions");
            assertAnswers(server, "Match_other=a", 400, "turned off");
            assertAnswers(server, "topic=a", 200, ":\n\n");
        }
    }

    @Test
    void withOnlyMercure10ADraft07SubscriptionIsRefusedSayingSo() throws IOException {
        try (TestServer server = speaking("1.0", ISSUER)) {
            assertAnswers(server, "topic=a", 400, "draft-07 subscriptions");
            assertAnswers(server, "", 400, "subscribe with \"match\"");
            assertAnswers(server, "match=a", 200, ":\n\n");
        }
    }

    @Test
    void withOnlyDraft07AMercure10AccessTokenIsRefusedAsInvalidAndADraft07TokenPublishes() throws IOException {
        try (TestServer server = speaking("draft-07", ISSUER); Http http = new Http()) {
            Http.Response refused = http.publish(server.uri(HUB), ISSUER.publisher("*"), "topic", "a", "data", "x");
            assertEquals(401, refused.status());
            assertEquals("Bearer error=\"invalid_token\"", refused.header("WWW-Authenticate"));
            assertTrue(refused.body().contains("1.0 is left out of LIFELINE_DIALECTS"), refused.body());
            assertEquals(200, http.publish(server.uri(HUB), server.publisherToken(), "topic", "a").status());
            // refused for what it is, not for where it is: a header would not help on this hub
            assertAnswers(server, "topic=a&authorization=" + ISSUER.subscriber("*"), 401, "1.0 is left out");
        }
    }

    @Test
    void withOnlyMercure10ADraft07TokenIsRefusedAsInvalidAndAnAccessTokenPublishes() throws IOException {
        try (TestServer server = speaking("1.0", ISSUER); Http http = new Http()) {
            Http.Response refused = http.publish(server.uri(HUB), server.publisherToken(), "topic", "a");
            assertEquals(401, refused.status());
            assertTrue(refused.body().contains("takes no draft-07 tokens"), refused.body());
            assertEquals(200, http.publish(server.uri(HUB), ISSUER.publisher("*"), "topic", "a").status());
        }
    }

    /** A test server that speaks these dialects, with the test key and this issuer trusted. */
    private static TestServer speaking(String dialects, AccessTokenIssuer issuer) {
        Map<Setting, String> settings = new HashMap<>(issuer.settings());
        settings.put(Setting.DIALECTS, dialects);
        return TestServer.start(settings);
    }

    private static void assertAnswers(TestServer server, String query, int status, String body) throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?" + query)) {
            assertEquals(status, client.awaitHead(WAIT), query);
            client.awaitBody(body, WAIT);
        }
    }
}
