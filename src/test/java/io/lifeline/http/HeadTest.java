package io.lifeline.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Http;
import io.lifeline.testing.RawHttp;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code HEAD} wherever {@code GET} is answered (RFC 9110, section 9.1: "All general-purpose servers MUST support
 * the methods GET and HEAD"; 9.3.2: the same header fields as for a {@code GET}, without content): the status and
 * headers a {@code GET} gets, no body, and on the hub and the live view no stream and no subscriber.
 */
class HeadTest {

    /** Fields that differ between any two answers, or between a body and none. */
    private static final Set<String> VARYING = Set.of("date", "content-length", "transfer-encoding");

    private static TestServer server;
    private static String admin;

    @BeforeAll
    static void start() {
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        settings.putAll(new AccessTokenIssuer("https://issuer.example.com").settings()); // the metadata document
        server = TestServer.start(settings);
        admin = Tokens.admin(TestServer.KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/", "/index.html", "/metrics", "/.well-known/mercure/subscriptions",
        "/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Fa",
        "/.well-known/oauth-protected-resource/.well-known/mercure", "/no/such/thing",
        "/.well-known/mercure?topic=%FF", "/.lifeline/live?authorization=not-a-token"})
    void aHeadGetsTheHeadersOfItsGetAndNoBody(String path) throws IOException {
        String token = "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, "*");
        Http.Response get = RawHttp.exchange("127.0.0.1", server.port(), false, "GET " + path + " HTTP/1.1\r\n"
                + token);
        Http.Response head = RawHttp.exchange("127.0.0.1", server.port(), false, "HEAD " + path + " HTTP/1.1\r\n"
                + token);
        assertEquals(get.status(), head.status(), path);
        assertEquals(comparable(get.headers()), comparable(head.headers()), path);
        assertEquals("", head.body(), "a HEAD's answer has no body");
    }

    @Test
    void aHeadOnTheHubOpensNoStreamAndCreatesNoSubscriber() throws IOException {
        String path = "/.well-known/mercure?topic=https%3A%2F%2Fexample.com%2Fhead";
        long started = server.hub().metrics().startedTotal();
        Map<String, String> streamHeaders;
        try (RawSseClient get = RawSseClient.open(server.port(), path, "Accept: text/event-stream")) {
            assertEquals(200, get.awaitHead(Duration.ofSeconds(5)));
            streamHeaders = comparable(get.headerMap());
        }
        started = server.hub().metrics().startedTotal() - started;
        assertEquals(1, started, "the GET made one subscriber");
        long before = server.hub().metrics().startedTotal();
        for (int i = 0; i < 20; i++) {
            Http.Response head = RawHttp.exchange("127.0.0.1", server.port(), false, "HEAD " + path
                    + " HTTP/1.1\r\nAccept: text/event-stream");
            assertEquals(200, head.status());
            assertEquals(streamHeaders, comparable(head.headers()));
            assertEquals("", head.body());
        }
        assertEquals(before, server.hub().metrics().startedTotal(), "no HEAD made a subscriber");
    }

    @Test
    void aHeadOnTheLiveViewOpensNoStream() throws IOException {
        String path = "/.lifeline/live?authorization=" + admin;
        Map<String, String> streamHeaders;
        try (RawSseClient get = RawSseClient.open(server.port(), path)) {
            assertEquals(200, get.awaitHead(Duration.ofSeconds(5)));
            streamHeaders = comparable(get.headerMap());
        }
        int viewers = server.feed().viewers();
        Http.Response head = RawHttp.exchange("127.0.0.1", server.port(), false, "HEAD " + path + " HTTP/1.1");
        assertEquals(200, head.status());
        assertEquals(streamHeaders, comparable(head.headers()));
        assertEquals("", head.body());
        assertTrue(server.feed().viewers() <= viewers, "a HEAD joined the live view's viewers");
    }

    /** The fields, lower-cased, without those that differ between any two answers. */
    private static Map<String, String> comparable(Map<String, String> headers) {
        Map<String, String> kept = new java.util.TreeMap<>();
        headers.forEach((name, value) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (!VARYING.contains(n)) {
                kept.put(n, value);
            }
        });
        return kept;
    }
}
