package io.lifeline.demo;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.testing.Http;
import io.lifeline.testing.LiveEvents;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tls;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The F5 demonstration: a client of the hub's own leaves through a relay that sends only a FIN and keeps reading.
 * Where a watch reads the connection the hub notices; where none does, the demonstration says so and what bounds
 * the leak, and ends its subscriber itself.
 */
class F5DemonstrationTest {

    private static final Duration WAIT = Duration.ofSeconds(8);
    private static final String DEMONSTRATION = "/.lifeline/demonstration/f5";

    @TempDir
    Path dir;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theRelaysFinIsNoticedClientClosedWithinMillisecondsAndTheViewShowsEachStep() throws IOException {
        server = TestServer.start(Map.of());
        String admin = Tokens.admin(TestServer.KEY);
        try (RawSseClient viewer = viewer(admin); Http http = new Http()) {
            viewer.awaitBody("event: snapshot\n", WAIT);
            Http.Response started = http.send("POST", server.uri(DEMONSTRATION), "Authorization", "Bearer " + admin);
            assertEquals(202, started.status(), started.body());
            assertEquals("{\"demonstration\":1,\"seconds\":10}", started.body());

            viewer.awaitBody("\"step\":\"noticed\"", WAIT);
            JsonNode noticed = step(viewer, "noticed").orElseThrow();
            assertEquals("client-closed", noticed.get("reason").asText());
            assertEquals("jetty-http1", noticed.get("watch").asText());
            double millis = noticed.get("releasedMillisAfterFin").asDouble();
            assertTrue(millis >= 0 && millis < 1000, "released " + millis + " ms after the FIN");
            for (String before : List.of("connecting", "connected", "fin-sent")) {
                assertTrue(step(viewer, before).isPresent(), "no " + before + " step: " + viewer.body());
            }
            String id = noticed.get("subscriber").asText();
            viewer.awaitBody("\"departures\":[{\"id\":\"" + id + "\"", WAIT);
            assertEquals(1, server.hub().metrics().ended(EndReason.CLIENT_CLOSED));
            assertTrue(step(viewer, "not-noticed").isEmpty());
        }
    }

    @Test
    void withoutAWatchItShowsTheLeakAndWhatBoundsItAndNeverSaysNoticed() throws IOException {
        server = TestServer.start(Map.of(Setting.WATCH, "none")); // heartbeats 15 s apart: the demonstration writes its own
        String admin = Tokens.admin(TestServer.KEY);
        try (RawSseClient viewer = viewer(admin); Http http = new Http()) {
            viewer.awaitBody("event: snapshot\n", WAIT);
            assertEquals(202, http.send("POST", server.uri(DEMONSTRATION), "Authorization", "Bearer " + admin)
                    .status());
            viewer.awaitBody("\"step\":\"not-noticed\"", WAIT);
            JsonNode leak = step(viewer, "not-noticed").orElseThrow();
            assertEquals("none", leak.get("watch").asText());
            assertTrue(leak.get("bytesWrittenAfterFin").asLong() > 0, "heartbeats go on being written: " + leak);
            assertTrue(leak.get("bound").asText().startsWith("the maximum lifetime"), leak.toString());

            viewer.awaitBody("\"step\":\"over\"", Duration.ofSeconds(15));
            JsonNode still = step(viewer, "still-connected").orElseThrow();
            assertTrue(still.get("bytesWrittenAfterFin").asLong() > leak.get("bytesWrittenAfterFin").asLong(),
                    "a heartbeat a second goes on into the relay: " + still + " after " + leak);
            assertEquals("demonstration-over", step(viewer, "over").orElseThrow().get("reason").asText());
            assertTrue(step(viewer, "noticed").isEmpty(), "the hub claimed to notice what it could not see");
            Poll.until(WAIT, "its subscriber is released",
                    () -> server.hub().metrics().ended(EndReason.DEMONSTRATION_OVER) == 1);
            assertEquals(0, server.hub().subscribers().size());
        }
    }

    @Test
    void overTlsTheClientSpeaksTlsToTheSocketTheClickCameThrough() throws Exception {
        server = TestServer.start(Map.of(Setting.TLS_KEYSTORE, Tls.keystore(dir).toString(),
                Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD));
        String admin = Tokens.admin(TestServer.KEY);
        try (RawSseClient viewer = RawSseClient.openTls(server.port(), "/.lifeline/live?authorization=" + admin);
             Http http = new Http()) {
            viewer.awaitBody("event: snapshot\n", WAIT);
            assertEquals(202, http.send("POST", server.uri(DEMONSTRATION), "Authorization", "Bearer " + admin)
                    .status());
            viewer.awaitBody("\"step\":\"noticed\"", WAIT);
            assertTrue(step(viewer, "connecting").orElseThrow().get("tls").asBoolean());
            assertEquals("client-closed", step(viewer, "noticed").orElseThrow().get("reason").asText());
        }
    }

    @Test
    void itTakesTheAdminTokenFromTheAuthorizationHeaderOnlyAndCanBeTurnedOff() throws IOException {
        server = TestServer.start(Map.of());
        String admin = Tokens.admin(TestServer.KEY);
        try (Http http = new Http()) {
            assertEquals(401, http.send("POST", server.uri(DEMONSTRATION)).status());
            assertEquals(401, http.send("POST", server.uri(DEMONSTRATION), "Cookie", "mercureAuthorization=" + admin)
                    .status(), "a cookie alone cannot start it");
            Http.Response query = http.send("POST", server.uri(DEMONSTRATION + "?authorization=" + admin));
            assertEquals(401, query.status());
            assertTrue(query.body().contains("in the Authorization header only"), query.body());
            assertEquals(403, http.send("POST", server.uri(DEMONSTRATION), "Authorization",
                    "Bearer " + Tokens.subscriber(TestServer.KEY, "*")).status());
            Http.Response get = http.send("GET", server.uri(DEMONSTRATION));
            assertEquals(405, get.status());
            assertEquals("POST, OPTIONS", get.header("Allow"));
        }
        server.close();
        server = TestServer.start(Map.of(Setting.DEMO, "false"));
        try (Http http = new Http(); RawSseClient viewer = viewer(admin)) {
            Http.Response off = http.send("POST", server.uri(DEMONSTRATION), "Authorization", "Bearer " + admin);
            assertEquals(403, off.status());
            assertTrue(off.body().contains("LIFELINE_DEMO=false"), off.body());
            viewer.awaitBody("\"demonstration\":false", WAIT);
        }
    }

    @Test
    void inDevelopmentModeItNeedsNoTokenButAnotherSitesPageCannotStartIt() throws IOException {
        server = TestServer.startInDevelopmentMode(Map.of());
        try (Http http = new Http()) {
            Http.Response foreign = http.send("POST", server.uri(DEMONSTRATION), "Origin", "http://evil.example");
            assertEquals(403, foreign.status());
            assertTrue(foreign.body().contains("the hub's own page"), foreign.body());
            Http.Response own = http.send("POST", server.uri(DEMONSTRATION), "Origin",
                    "http://127.0.0.1:" + server.port());
            assertEquals(202, own.status(), own.body());
            Http.Response second = http.send("POST", server.uri(DEMONSTRATION));
            assertEquals(409, second.status(), "one at a time");
            assertEquals("10", second.header("Retry-After"));
        }
    }

    @Test
    void atMostSixStartAMinute() throws IOException {
        server = TestServer.start(Map.of());
        F5Demonstration demonstration = new F5Demonstration(server.feed(), "the maximum lifetime");
        InetSocketAddress nobody;
        try (ServerSocket closed = new ServerSocket(0)) {
            nobody = new InetSocketAddress("127.0.0.1", closed.getLocalPort());
        }
        for (int i = 0; i < F5Demonstration.PER_MINUTE; i++) {
            Poll.until(WAIT, "the previous one is over", () -> !demonstration.isRunning());
            long number = i + 1;
            assertEquals(number, assertDoesNotThrow(() -> demonstration.start(nobody, false, "/", null)));
        }
        Poll.until(WAIT, "the last one is over", () -> !demonstration.isRunning());
        F5Demonstration.Refused refused = assertThrows(F5Demonstration.Refused.class,
                () -> demonstration.start(nobody, false, "/", null));
        assertEquals(429, refused.status());
        assertTrue(refused.retryAfterSeconds() > 0 && refused.retryAfterSeconds() <= 61);
    }

    private RawSseClient viewer(String token) throws IOException {
        return RawSseClient.open(server.port(), "/.lifeline/live?authorization=" + token);
    }

    private static Optional<JsonNode> step(RawSseClient viewer, String step) {
        return LiveEvents.of(viewer, "demonstration").stream()
                .filter(event -> event.get("step").asText().equals(step)).findFirst();
    }
}
