package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lifeline.config.Setting;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code LIFELINE_DIALECTS} leaves a dialect out: its subscriptions are refused with the reason, the other's taken. */
class DialectSwitchTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

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
        try (TestServer server = TestServer.start(Map.of(Setting.DIALECTS, "1.0"))) {
            assertAnswers(server, "topic=a", 400, "draft-07 subscriptions");
            assertAnswers(server, "", 400, "subscribe with \"match\"");
            assertAnswers(server, "match=a", 200, ":\n\n");
        }
    }

    private static void assertAnswers(TestServer server, String query, int status, String body) throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?" + query)) {
            assertEquals(status, client.awaitHead(WAIT), query);
            client.awaitBody(body, WAIT);
        }
    }
}
