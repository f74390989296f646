package io.lifeline.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.lifeline.auth.Claims;
import io.lifeline.auth.TokenVerifier;
import io.lifeline.config.Setting;
import io.lifeline.subscriber.EndReason;
import io.lifeline.subscriber.Subscriber;
import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Http;
import io.lifeline.testing.Poll;
import io.lifeline.testing.RawSseClient;
import io.lifeline.testing.TestServer;
import io.lifeline.testing.Tokens;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One instant for an expired token: {@code exp} plus the leeway for clock skew. From that instant, to the
 * millisecond, the hub refuses the token everywhere (subscribe, publish, the subscriptions API, the live view) in
 * both dialects, and a stream opened with it ends then, with a cursor and a {@code retry:} hint, counted once. A
 * client that comes back with a fresh token resumes from the cursor and misses nothing.
 */
class TokenExpiryTest {

    private static final Duration LEEWAY = TokenVerifier.LEEWAY;
    private static final Pattern CURSOR = Pattern.compile("id: ([^\\n]+)\\nretry: (\\d+)\\n\\n");

    @Test
    void aTokenIsRefusedFromExpPlusTheLeewayToTheMillisecond() {
        Instant exp = Instant.parse("2026-12-07T10:00:00Z");
        Claims claims = Claims.mercure(List.of("*"), List.of("*"), null, exp, false);
        assertEquals(exp.plus(LEEWAY), claims.refusedFrom());
        assertFalse(claims.expiredAt(exp.plus(LEEWAY).minusMillis(1)), "a millisecond before");
        assertTrue(claims.expiredAt(exp.plus(LEEWAY)), "at the instant");
        assertTrue(claims.expiredReason().contains("2026-12-07T10:00:02Z"), claims.expiredReason());
        assertFalse(Claims.mercure(List.of("*"), null, null, null, false).expiredAt(Instant.MAX), "no exp");
    }

    @Test
    void aTokenThatExpiredBeforeTheHubSawItIsRefusedSayingWhenInBothDialects() throws Exception {
        AccessTokenIssuer issuer = new AccessTokenIssuer("https://issuer.example.com");
        Instant exp = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS);
        String draft07 = Tokens.token(TestServer.KEY, List.of("*"), null, exp);
        String mercure10 = issuer.token().grant(List.of("publish"), "*")
                .claims(c -> c.expirationTime(Date.from(exp))).sign();
        try (TestServer server = TestServer.start(issuer.settings()); Http http = new Http()) {
            for (String token : List.of(draft07, mercure10)) {
                Http.Response r = http.publish(server.uri("/.well-known/mercure"), token, "topic", "t", "data", "d");
                assertEquals(401, r.status());
                assertTrue(r.body().contains("the token has expired: exp " + exp + ", refused from "
                        + exp.plus(LEEWAY)), r.body());
            }
        }
    }

    @Test
    void aDraft07TokenEndsItsStreamAndIsRefusedEverywhereAtTheSameInstant() throws Exception {
        Instant exp = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        String token = JWT.create()
                .withClaim("mercure", Map.of("publish", List.of("*"), "subscribe", List.of("*")))
                .withClaim("lifeline", Map.of("admin", true))
                .withExpiresAt(exp)
                .sign(Algorithm.HMAC256(TestServer.KEY));
        String fresh = Tokens.token(TestServer.KEY, List.of("*"), List.of("*"), Instant.now().plusSeconds(600));
        try (TestServer server = TestServer.start(Map.of(Setting.ANONYMOUS, "false"))) {
            expire(server, exp, token, fresh, "topic");
        }
    }

    @Test
    void aMercure10AccessTokenEndsItsStreamAndIsRefusedEverywhereAtTheSameInstant() throws Exception {
        AccessTokenIssuer issuer = new AccessTokenIssuer("https://issuer.example.com");
        Instant exp = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        String token = issuer.token().grant(List.of("publish", "subscribe"), "*")
                .claims(c -> c.expirationTime(Date.from(exp)).claim("lifeline", Map.of("admin", true))).sign();
        String fresh = issuer.token().grant(List.of("publish", "subscribe"), "*").sign();
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        settings.putAll(issuer.settings());
        settings.put(Setting.ANONYMOUS, "false");
        try (TestServer server = TestServer.start(settings)) {
            expire(server, exp, token, fresh, "match");
        }
    }

    /**
     * Subscribes with {@code token}, which expires at {@code exp}; polls the other three doors with it meanwhile;
     * then resumes with {@code fresh}.
     *
     * @param parameter {@code topic} (draft-07) or {@code match} (Mercure 1.0)
     */
    private void expire(TestServer server, Instant exp, String token, String fresh, String parameter)
            throws Exception {
        Instant refusedFrom = exp.plus(LEEWAY);
        String topic = "https://example.com/expiring/" + UUID.randomUUID();
        String path = "/.well-known/mercure?" + parameter + "=" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
        String bearer = "Authorization: Bearer " + token;
        try (Http http = new Http();
             RawSseClient client = RawSseClient.open(server.port(), path, bearer)) {
            assertEquals(200, client.awaitHead(Duration.ofSeconds(5)));
            Subscriber subscriber = server.awaitSubscriber(topic);
            assertEquals(200, http.publish(server.uri("/.well-known/mercure"), token, "topic", topic, "id", "before",
                    "data", "before the expiry").status());
            client.awaitBody("id: before\n", Duration.ofSeconds(5));

            // Until the instant, every door lets the token in; from it, none does.
            Instant lastAccepted = null;
            Instant firstRefused = null;
            while (firstRefused == null && Instant.now().isBefore(refusedFrom.plusSeconds(3))) {
                Instant asked = Instant.now();
                int status = http.get(server.uri("/.well-known/mercure/subscriptions"), token).status();
                if (status == 200) {
                    lastAccepted = asked;
                } else {
                    assertEquals(401, status);
                    firstRefused = asked;
                }
                Thread.sleep(10);
            }
            assertNotNull(firstRefused, "the subscriptions API still took the token 3 s past " + refusedFrom);
            assertNotNull(lastAccepted, "the subscriptions API refused the token from the start");
            assertTrue(lastAccepted.isBefore(refusedFrom), "accepted at " + lastAccepted + ", refused from "
                    + refusedFrom);
            assertTrue(!firstRefused.isBefore(refusedFrom.minusMillis(15)), "refused at " + firstRefused
                    + ", before " + refusedFrom);

            // The stream ended then too, the client told where to resume and when to come back.
            Poll.until(Duration.ofSeconds(2), "the stream ends", subscriber::isEnded);
            assertEquals(EndReason.TOKEN_EXPIRED, subscriber.endReason());
            assertTrue(client.awaitEof(Duration.ofSeconds(2)), "the hub closes the stream");
            MatchResult end = CURSOR.matcher(client.body()).results().reduce((a, b) -> b).orElseThrow(
                    () -> new AssertionError("no cursor with a retry hint at the end: " + client.body()));
            String cursor = end.group(1);
            assertTrue(Long.parseLong(end.group(2)) > 0, "retry: " + end.group(2));
            Instant ended = Instant.now().minusNanos(System.nanoTime() - subscriber.endedNanos());
            assertTrue(!ended.isBefore(refusedFrom.minusMillis(15)), "ended at " + ended + ", before " + refusedFrom);
            assertTrue(ended.isBefore(refusedFrom.plusMillis(500)), "ended at " + ended + ", refused from "
                    + refusedFrom);

            // Every door refuses the token now, with the reason.
            Http.Response publish = http.publish(server.uri("/.well-known/mercure"), token, "topic", topic,
                    "data", "after");
            assertEquals(401, publish.status());
            assertTrue(publish.body().contains("refused from " + refusedFrom), publish.body());
            assertEquals(401, http.get(server.uri("/.well-known/mercure/subscriptions"), token).status());
            assertEquals(401, http.get(server.uri("/.lifeline/live"), token).status());
            try (RawSseClient again = RawSseClient.open(server.port(), path, bearer)) {
                assertEquals(401, again.awaitHead(Duration.ofSeconds(5)));
            }
            assertEquals(1, server.hub().metrics().ended(EndReason.TOKEN_EXPIRED), "one end counted");

            // Published while it was away; a fresh token and the cursor get it, and nothing before it.
            assertEquals(200, http.publish(server.uri("/.well-known/mercure"), fresh, "topic", topic, "id", "while-away",
                    "data", "published while the client was away").status());
            try (RawSseClient resumed = RawSseClient.open(server.port(), path, "Authorization: Bearer " + fresh,
                    "Last-Event-ID: " + cursor)) {
                assertEquals(200, resumed.awaitHead(Duration.ofSeconds(5)));
                resumed.awaitBody("id: while-away\n", Duration.ofSeconds(5));
                assertFalse(resumed.body().contains("id: before\n"), "replayed what the client had: "
                        + resumed.body());
            }
            assertEquals(1, server.hub().metrics().ended(EndReason.TOKEN_EXPIRED), "still one end");
        }
    }
}
