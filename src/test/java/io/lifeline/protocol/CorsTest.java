package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.config.Setting;
import io.lifeline.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CORS: an explicit allowlist, credentials only for listed origins, never reflected otherwise. */
class CorsTest {

    private static final String APP = "https://app.example.com";
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void aListedOriginGetsItselfBackWithCredentialsAndMayReadLastEventId() throws Exception {
        try (TestServer server = TestServer.start(Map.of(Setting.CORS_ORIGINS, APP + ", https://other.example.com"))) {
            HttpResponse<String> r = get(server, "/.well-known/mercure/subscriptions", APP);
            assertEquals(APP, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertEquals("true", r.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
            assertTrue(r.headers().allValues("Vary").contains("Origin"), r.headers().toString());
            String exposed = r.headers().firstValue("Access-Control-Expose-Headers").orElse("");
            assertTrue(exposed.contains("Last-Event-ID"), exposed);
            assertTrue(exposed.contains("Link"), "the 1.0 subscriptions API's cursor: " + exposed);
            assertEquals(401, r.statusCode(), "a refusal carries CORS headers, so the page can read why");
        }
    }

    @Test
    void anUnlistedOriginIsNeverReflected() throws Exception {
        try (TestServer server = TestServer.start(Map.of(Setting.CORS_ORIGINS, APP))) {
            HttpResponse<String> r = get(server, "/.well-known/mercure/subscriptions", "https://evil.example");
            assertNull(r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertNull(r.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
            assertTrue(r.headers().allValues("Vary").contains("Origin"));
        }
    }

    @Test
    void starLetsAnyOriginReadWithoutCredentials() throws Exception {
        try (TestServer server = TestServer.start(Map.of(Setting.CORS_ORIGINS, "*"))) {
            HttpResponse<String> r = get(server, "/.well-known/mercure/subscriptions", "https://anyone.example");
            assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertNull(r.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
        }
    }

    @Test
    void aPreflightIsAnsweredNot405() throws Exception {
        try (TestServer server = TestServer.start(Map.of(Setting.CORS_ORIGINS, APP))) {
            HttpResponse<String> allowed = preflight(server, APP);
            assertEquals(204, allowed.statusCode());
            assertEquals(APP, allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertEquals("GET, QUERY, POST", allowed.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
            String headers = allowed.headers().firstValue("Access-Control-Allow-Headers").orElse("");
            assertTrue(headers.contains("Authorization") && headers.contains("Last-Event-ID"), headers);

            HttpResponse<String> refused = preflight(server, "https://evil.example");
            assertEquals(204, refused.statusCode());
            assertNull(refused.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            assertNull(refused.headers().firstValue("Access-Control-Allow-Methods").orElse(null));

            HttpResponse<String> plainOptions = client.send(HttpRequest.newBuilder(server.uri("/.well-known/mercure"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, plainOptions.statusCode());
            assertEquals("GET, HEAD, QUERY, POST, OPTIONS", plainOptions.headers().firstValue("Allow").orElse(null));
        }
    }

    @Test
    void theHubNamesItselfInALinkHeader() throws Exception {
        try (TestServer server = TestServer.start(Map.of())) {
            HttpResponse<String> r = get(server, "/.well-known/mercure/subscriptions", null);
            assertEquals("</.well-known/mercure>; rel=\"mercure\"", r.headers().firstValue("Link").orElse(null));
        }
    }

    private HttpResponse<String> get(TestServer server, String path, String origin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).GET();
        if (origin != null) {
            b.header("Origin", origin);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> preflight(TestServer server, String origin) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(server.uri("/.well-known/mercure"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .build(), HttpResponse.BodyHandlers.ofString());
    }

}
