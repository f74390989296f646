package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where a token comes from: the Authorization header, else the authorization query parameter, else the cookie; and
 * the CSRF rule for publishing with the cookie.
 */
class TokenTransportTest {

    private static final String ALLOWED = "https://app.example.com";
    private static final String BAD = Tokens.publisher("wrong-key-wrong-key-wrong-key-wrong", "*");

    private static TestServer server;
    private static String good;
    private static String goodSubscriber;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(Setting.ANONYMOUS, "false", Setting.PUBLISH_ORIGINS, ALLOWED));
        good = Tokens.token(TestServer.KEY, List.of("*"), List.of("*"), null);
        goodSubscriber = Tokens.subscriber(TestServer.KEY, "*");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aSubscriberMayCarryItsTokenInTheCookie() throws IOException {
        assertEquals(200, subscribe("", "Cookie: mercureAuthorization=" + goodSubscriber));
    }

    @Test
    void theCookieNameIsConfigurable() throws IOException {
        try (TestServer custom = TestServer.start(Map.of(Setting.ANONYMOUS, "false", Setting.COOKIE_NAME, "hubToken"));
             RawSseClient client = RawSseClient.open(custom.port(), "/.well-known/mercure?topic=t",
                     "Cookie: hubToken=" + goodSubscriber)) {
            assertEquals(200, client.awaitHead(Duration.ofSeconds(5)));
        }
        assertEquals(401, subscribe("", "Cookie: hubToken=" + goodSubscriber));
    }

    @Test
    void aPresentAuthorizationHeaderIsUsedAndTheCookieIgnored() throws IOException {
        assertEquals(200, subscribe("", "Authorization: Bearer " + goodSubscriber, "Cookie: mercureAuthorization=" + BAD));
        assertEquals(401, subscribe("", "Authorization: Bearer " + BAD, "Cookie: mercureAuthorization=" + goodSubscriber));
        assertEquals(401, subscribe("", "Authorization: Basic abc", "Cookie: mercureAuthorization=" + goodSubscriber));
    }

    @Test
    void aMalformedPresentationIs400InvalidRequestAndAnotherSchemeIsNoToken() throws IOException {
        for (String[] headers : List.of(new String[] {"Authorization: Bearer"},
                new String[] {"Authorization: bearer   "},
                new String[] {"Authorization: Bearer " + goodSubscriber, "Authorization: Bearer " + goodSubscriber})) {
            try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=t", headers)) {
                assertEquals(400, client.awaitHead(Duration.ofSeconds(5)), headers[0]);
                assertEquals("Bearer error=\"invalid_request\"", client.header("WWW-Authenticate"));
            }
        }
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=t",
                "Authorization: Basic abc")) {
            assertEquals(401, client.awaitHead(Duration.ofSeconds(5)));
            assertEquals("Bearer", client.header("WWW-Authenticate"));
        }
    }

    @Test
    void theQueryParameterIsUsedWhenThereIsNoHeaderAndTheCookieIgnored() throws IOException {
        assertEquals(200, subscribe("&authorization=" + goodSubscriber, "Cookie: mercureAuthorization=" + BAD));
        assertEquals(401, subscribe("&authorization=" + BAD, "Cookie: mercureAuthorization=" + goodSubscriber));
        assertEquals(200, subscribe("&authorization=" + BAD, "Authorization: Bearer " + goodSubscriber));
    }

    @Test
    void publishingWithTheCookieNeedsAnOriginOrRefererAndAnAllowedOne() throws Exception {
        assertEquals(403, publishWithCookie(null, null), "no Origin, no Referer");
        assertEquals(403, publishWithCookie("https://evil.example", null), "another site");
        assertEquals(403, publishWithCookie(null, "https://evil.example/page"), "another site's page");
        assertEquals(200, publishWithCookie(ALLOWED, null), "an allowed origin");
        assertEquals(200, publishWithCookie(null, ALLOWED + "/editor?x=1"), "an allowed origin's page");
        assertEquals(200, publishWithCookie("http://127.0.0.1:" + server.port(), null), "the hub's own pages");
    }

    @Test
    void publishingWithTheHeaderNeedsNoOrigin() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri("/.well-known/mercure"))
                .header("Authorization", "Bearer " + good)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("topic=t")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void theQueryParameterNeverConsumesAPublishersFormBody() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri("/.well-known/mercure?authorization=" + good))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("topic=t&id=via-query")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("via-query", r.body());
    }

    private int subscribe(String query, String... headers) throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=t" + query, headers)) {
            return client.awaitHead(Duration.ofSeconds(5));
        }
    }

    private int publishWithCookie(String origin, String referer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/.well-known/mercure"))
                .header("Cookie", "mercureAuthorization=" + good)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("topic=t&data=x"));
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (referer != null) {
            b.header("Referer", referer);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() != 403 || r.body().contains("cookie"), r.body());
        return r.statusCode();
    }
}
