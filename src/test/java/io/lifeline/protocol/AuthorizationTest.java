package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Publisher and subscriber tokens: what is accepted, and why everything else is refused. */
class AuthorizationTest {

    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(Setting.ANONYMOUS, "false"));
        http = new Http();
    }

    @AfterAll
    static void stop() throws IOException {
        http.close();
        server.close();
    }

    @Test
    void publishingWithoutATokenIs401() throws IOException {
        Http.Response r = publishWith(null);
        assertEquals(401, r.status());
        assertEquals("Bearer", r.header("WWW-Authenticate"));
    }

    @Test
    void aTokenSignedWithAnotherKeyIs401() throws IOException {
        assertRefused(401, publishWith(Tokens.publisher("another-key-another-key-another-key!", "*")), "signature");
    }

    @Test
    void anExpiredTokenIs401() throws IOException {
        String expired = Tokens.token(TestServer.KEY, List.of("*"), null, Instant.now().minusSeconds(30));
        assertRefused(401, publishWith(expired), "expired");
    }

    @Test
    void aTokenWithAlgorithmNoneIs401() throws IOException {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"mercure\":{\"publish\":[\"*\"]}}");
        assertRefused(401, publishWith(header + "." + payload + "."), "algorithm");
    }

    @Test
    void aTokenSignedWithAnotherHmacAlgorithmIs401() throws IOException {
        String hs512 = JWT.create().withClaim("mercure", Map.of("publish", List.of("*")))
                .sign(Algorithm.HMAC512(TestServer.KEY));
        assertRefused(401, publishWith(hs512), "algorithm");
    }

    @Test
    void anRs256TokenIs401() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        String rs256 = JWT.create().withClaim("mercure", Map.of("publish", List.of("*")))
                .sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));
        assertRefused(401, publishWith(rs256), "algorithm");
    }

    @Test
    void aMalformedTokenOrHeaderIs401() throws IOException {
        assertRefused(401, publishWith("not.a.jwt"), "token");
        Http.Response basic = http.post(server.uri("/.well-known/mercure"), null, "application/x-www-form-urlencoded",
                Http.form("topic", "t"));
        assertEquals(401, basic.status());
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("POST /.well-known/mercure HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Basic dXNlcjpwYXNz\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 7\r\nConnection: close\r\n\r\ntopic=t").getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 401") && response.contains("Bearer <JWT>"), response);
        }
    }

    @Test
    void aValidTokenWithoutPublishSelectorsIs403() throws IOException {
        assertRefused(403, publishWith(Tokens.subscriber(TestServer.KEY, "*")), "mercure.publish");
    }

    @Test
    void aTokenWhoseSelectorsMissOneTopicIs403AndNothingIsPublished() throws IOException {
        String token = Tokens.publisher(TestServer.KEY, "https://example.com/a");
        Http.Response r = http.publish(server.uri("/.well-known/mercure"), token,
                "topic", "https://example.com/a", "topic", "https://example.com/b", "data", "x");
        assertRefused(403, r, "cover");
        assertEquals("earliest", server.hub().lastEventId(), "a refused update was dispatched");
        Http.Response ok = http.publish(server.uri("/.well-known/mercure"), token,
                "topic", "https://example.com/a", "data", "x");
        assertEquals(200, ok.status(), ok.body());
    }

    @Test
    void theProtocolsTenByteDemoKeyWorksAndStartUpWarnsAboutIt() throws IOException {
        String demoKey = "!ChangeMe!";
        Settings settings = Settings.of(Map.of(Setting.JWT_KEY, demoKey));
        assertTrue(settings.warnings().stream().anyMatch(w -> w.contains("shorter than 256 bits")),
                settings.warnings().toString());
        try (TestServer shortKey = TestServer.start(Map.of(Setting.JWT_KEY, demoKey))) {
            Http.Response r = http.publish(shortKey.uri("/.well-known/mercure"), Tokens.publisher(demoKey, "*"),
                    "topic", "t", "data", "x");
            assertEquals(200, r.status(), r.body());
        }
    }

    @Test
    void separatePublisherAndSubscriberKeysAreNotInterchangeable() throws IOException {
        String publisherKey = "publisher-key-publisher-key-publisher-key";
        String subscriberKey = "subscriber-key-subscriber-key-subscriber";
        try (TestServer separate = TestServer.start(Map.of(Setting.PUBLISHER_JWT_KEY, publisherKey,
                Setting.SUBSCRIBER_JWT_KEY, subscriberKey, Setting.ANONYMOUS, "false"))) {
            assertEquals(401, http.publish(separate.uri("/.well-known/mercure"),
                    Tokens.publisher(subscriberKey, "*"), "topic", "t").status());
            assertEquals(200, http.publish(separate.uri("/.well-known/mercure"),
                    Tokens.publisher(publisherKey, "*"), "topic", "t").status());
            assertEquals(401, http.get(separate.uri("/.well-known/mercure/subscriptions"),
                    Tokens.subscriber(publisherKey, "*")).status());
            assertEquals(200, http.get(separate.uri("/.well-known/mercure/subscriptions"),
                    Tokens.subscriber(subscriberKey, "*")).status());
        }
    }

    @Test
    void subscribingWithoutATokenIs401WhenAnonymousSubscribersAreNotAllowed() throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=t")) {
            assertEquals(401, client.awaitHead(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aBadSubscriberTokenIs401EvenWhereAnonymousSubscribersAreAllowed() throws IOException {
        try (TestServer anonymous = TestServer.start(Map.of(Setting.ANONYMOUS, "true"));
             RawSseClient client = RawSseClient.open(anonymous.port(), "/.well-known/mercure?topic=t",
                     "Authorization: Bearer " + Tokens.subscriber("wrong-key-wrong-key-wrong-key-wrong", "*"))) {
            assertEquals(401, client.awaitHead(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aSubscriberWithAValidTokenIsAccepted() throws IOException {
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=t",
                "Authorization: Bearer " + Tokens.subscriber(TestServer.KEY, "t"))) {
            assertEquals(200, client.awaitHead(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aSubscriberEndsTokenExpiredWhenItsTokenExpires() throws IOException {
        String topic = "https://example.com/expiring/" + System.nanoTime();
        Instant expiry = Instant.now().plusSeconds(2);
        String token = Tokens.token(TestServer.KEY, null, List.of(topic), expiry);
        try (RawSseClient client = RawSseClient.open(server.port(), "/.well-known/mercure?topic=" + topic,
                "Authorization: Bearer " + token)) {
            client.awaitBody(":\n\n", Duration.ofSeconds(5));
            Subscriber subscriber = server.awaitSubscriber(topic);
            Poll.until(Duration.ofSeconds(5), "the subscriber ends", subscriber::isEnded);
            assertEquals(EndReason.TOKEN_EXPIRED, subscriber.endReason());
            assertTrue(!Instant.now().isBefore(expiry.minusMillis(1000)), "ended long before the token expired");
            assertTrue(client.awaitEof(Duration.ofSeconds(2)), "the hub closes the connection");
        }
    }

    @Test
    void anRs256PublicKeyVerifiesRs256TokensAndIsNeverUsedAsAnHmacSecret() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        try (TestServer rsa = TestServer.start(Map.of(Setting.JWT_KEY, pem, Setting.JWT_ALGORITHM, "RS256"))) {
            String rs256 = JWT.create().withClaim("mercure", Map.of("publish", List.of("*")))
                    .sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));
            assertEquals(200, http.publish(rsa.uri("/.well-known/mercure"), rs256, "topic", "t").status());

            // The classic confusion: an HS256 token whose HMAC secret is the (public) PEM text.
            String forged = Tokens.publisher(pem, "*");
            Http.Response r = http.publish(rsa.uri("/.well-known/mercure"), forged, "topic", "t");
            assertEquals(401, r.status());
            assertTrue(r.body().contains("RS256"), r.body());
        }
    }

    @Test
    void aPemKeyConfiguredForHs256StopsStartUp() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(
                generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----";
        io.lifeline.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.lifeline.config.ConfigException.class, () -> Settings.of(Map.of(Setting.JWT_KEY, pem)));
        assertTrue(e.getMessage().contains("RS256"), e.getMessage());
        io.lifeline.config.ConfigException garbage = org.junit.jupiter.api.Assertions.assertThrows(
                io.lifeline.config.ConfigException.class, () -> Settings.of(Map.of(Setting.JWT_KEY, "not a key",
                        Setting.JWT_ALGORITHM, "RS256")));
        assertTrue(garbage.getMessage().contains("--jwt-key"), garbage.getMessage());
    }

    private static Http.Response publishWith(String token) throws IOException {
        return http.publish(server.uri("/.well-known/mercure"), token, "topic", "t", "data", "x");
    }

    private static void assertRefused(int status, Http.Response r, String reasonMentions) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.body().contains(reasonMentions), "reason: " + r.body());
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
