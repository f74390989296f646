package io.lifeline.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.testing.Http;
import io.lifeline.testing.RawHttp;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every answer of the embedded program is Lifeline's own: a method a path does not support is {@code 405} with
 * {@code Allow} and a reason (TRACE included, which never echoes the request), a path that serves nothing is
 * {@code 404} with a reason, error bodies are plain text, and {@code /metrics} asks for its token when one is set.
 */
class HttpAnswersTest {

    private static final String METRICS_TOKEN = "a-metrics-token-long-enough";
    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(Setting.METRICS_TOKEN, METRICS_TOKEN));
        http = new Http();
    }

    @AfterAll
    static void stop() throws IOException {
        http.close();
        server.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "TRACE, /.well-known/mercure, 'GET, HEAD, QUERY, POST, OPTIONS'",
        "TRACE, /.well-known/mercure/subscriptions, 'GET, HEAD, OPTIONS'",
        "TRACE, /metrics, 'GET, HEAD, OPTIONS'",
        "TRACE, /, 'GET, HEAD, OPTIONS'",
        "PROPFIND, /.well-known/mercure, 'GET, HEAD, QUERY, POST, OPTIONS'",
        "PUT, /.well-known/mercure, 'GET, HEAD, QUERY, POST, OPTIONS'",
        "DELETE, /.well-known/mercure, 'GET, HEAD, QUERY, POST, OPTIONS'",
        "PATCH, /.well-known/mercure, 'GET, HEAD, QUERY, POST, OPTIONS'",
        "HEAD, /.lifeline/demonstration/f5, 'POST, OPTIONS'",
        "POST, /metrics, 'GET, HEAD, OPTIONS'",
        "DELETE, /.well-known/mercure/subscriptions/x, 'GET, HEAD, OPTIONS'",
        "PROPFIND, /index.html, 'GET, HEAD, OPTIONS'"
    })
    void aMethodAPathDoesNotSupportIs405WithAllowAndAReasonAndNeverAnEcho(String method, String path, String allow)
            throws IOException {
        String token = server.publisherToken();
        Http.Response r = RawHttp.exchange("127.0.0.1", server.port(), false, method + " " + path + " HTTP/1.1\r\n"
                + "Authorization: Bearer " + token + "\r\nCookie: mercureAuthorization=" + token);
        assertEquals(405, r.status(), r.body());
        assertEquals(allow, r.header("Allow"));
        if (!method.equals("HEAD")) {
            assertTrue(r.header("Content-Type").startsWith("text/plain"), r.headers().toString());
            assertTrue(r.body().startsWith(method + " is not supported here"), r.body());
        }
        assertFalse(r.body().contains(token), "the request was echoed: " + r.body());
    }

    @Test
    void aPlainOptionsRequestSaysWhichMethodsAPathAnswers() throws IOException {
        Http.Response hub = http.send("OPTIONS", server.uri("/.well-known/mercure"));
        assertEquals(204, hub.status());
        assertEquals("GET, HEAD, QUERY, POST, OPTIONS", hub.header("Allow"));
        assertEquals("GET, HEAD, OPTIONS", http.send("OPTIONS", server.uri("/metrics")).header("Allow"));
    }

    @Test
    void aPathThatServesNothingIs404InPlainTextSayingWhatIsServed() throws IOException {
        Http.Response r = http.send("GET", server.uri("/no/such/thing"), "Accept", "text/html");
        assertEquals(404, r.status());
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.headers().toString());
        assertTrue(r.body().contains("/.well-known/mercure"), r.body());
        assertFalse(r.body().contains("<"), r.body());
    }

    @Test
    void aRequestJettyRefusesBeforeTheWebAppIsAnsweredInPlainTextToo() throws IOException {
        Http.Response r = http.send("GET", server.uri("/%2e%2e/%2e%2e/etc/passwd"), "Accept", "text/html");
        assertEquals(400, r.status(), r.body());
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.headers().toString());
        assertFalse(r.body().contains("<"), r.body());
    }

    @Test
    void aSubscriptionQueryThatDoesNotDecodeIsRefusedWithItsReasonNeverGuessed() throws IOException {
        for (String query : new String[] {"topic=%FF", "topic=a%zzb", "topic=ok&lastEventID=%C3"}) {
            try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?" + query)) {
                assertEquals(400, client.awaitHead(Duration.ofSeconds(5)), query);
                client.awaitBody("the query ", Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void withATokenMetricsAnswersOnlyThatBearerToken() throws IOException {
        assertEquals(401, http.get(server.uri("/metrics"), null).status());
        Http.Response wrong = http.get(server.uri("/metrics"), "not-the-token");
        assertEquals(401, wrong.status());
        assertTrue(wrong.body().contains("LIFELINE_METRICS_TOKEN"), wrong.body());
        assertEquals("Bearer", wrong.header("WWW-Authenticate"));
        Http.Response right = http.get(server.uri("/metrics"), METRICS_TOKEN);
        assertEquals(200, right.status());
        assertTrue(right.body().contains("lifeline_subscribers_live"), right.body());
    }
}
