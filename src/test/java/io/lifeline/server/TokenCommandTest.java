package io.lifeline.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeline.auth.AdminClaim;
import io.lifeline.auth.Authorizer;
import io.lifeline.auth.Claims;
import io.lifeline.auth.draft07.Jwts;
import io.lifeline.config.Setting;
import io.lifeline.config.Settings;
import io.lifeline.protocol.ProtocolException;
import io.lifeline.protocol.Update;
import io.lifeline.topic.Matcher;
import io.lifeline.topic.TemplateTopicMatcher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code java -jar lifeline-server.jar token ...}: tokens the hub accepts, and the command lines it refuses. */
class TokenCommandTest {

    private static final String KEY = "k".repeat(40);
    private static final String PUBLISHER_KEY = "p".repeat(40);
    private static final String SUBSCRIBER_KEY = "s".repeat(40);
    private static final Map<String, String> SHARED = Map.of("LIFELINE_JWT_KEY", KEY);
    private static final Map<String, String> SEPARATE = Map.of("LIFELINE_PUBLISHER_JWT_KEY", PUBLISHER_KEY,
            "LIFELINE_SUBSCRIBER_JWT_KEY", SUBSCRIBER_KEY);

    @Test
    void aPublisherTokenVerifiesWithTheConfiguredKeyAndCoversItsSelectorsOnly() throws ProtocolException {
        Run run = run(SHARED, "--publish", "https://example.com/books/{id}");

        assertEquals(0, run.status, run.err);
        Authorizer hub = authorizer(KEY, KEY);
        Claims claims = hub.publisher(Optional.of(run.token()));
        hub.checkPublish(claims, List.of("https://example.com/books/1"));
        ProtocolException elsewhere = assertThrows(ProtocolException.class,
                () -> hub.checkPublish(claims, List.of("https://example.com/authors/1")));
        assertEquals(403, elsewhere.status());
        assertEquals(List.of(), claims.subscribe());
    }

    @Test
    void aSubscriberTokenReceivesThePrivateUpdatesOfItsSelectors() throws ProtocolException {
        Run run = run(SHARED, "--subscribe", "https://example.com/users/ada/{+rest}", "--subscribe", "urn:news");

        Authorizer hub = authorizer(KEY, KEY);
        Claims claims = hub.subscriber(Optional.of(run.token())).orElseThrow();
        assertEquals(Matcher.selectors(List.of("https://example.com/users/ada/{+rest}", "urn:news")),
                claims.subscribe());
        assertTrue(hub.mayReceive(claims, privateUpdate("https://example.com/users/ada/inbox/7")));
        assertTrue(hub.mayReceive(claims, privateUpdate("urn:news")));
        assertFalse(hub.mayReceive(claims, privateUpdate("https://example.com/users/bob/inbox/7")));
        assertEquals(List.of(), claims.publish());
    }

    @Test
    void theStarSelectorGrantsEveryTopicAndOneTokenMayPublishAndSubscribeWhereTheKeyIsShared()
            throws ProtocolException {
        Run run = run(SHARED, "--publish", "*", "--subscribe", "*");

        Authorizer hub = authorizer(KEY, KEY);
        hub.checkPublish(hub.publisher(Optional.of(run.token())), List.of("https://example.com/anything"));
        Claims subscriber = hub.subscriber(Optional.of(run.token())).orElseThrow();
        assertTrue(hub.mayReceive(subscriber, privateUpdate("urn:anything")));
    }

    @Test
    void withSeparateKeysAPublisherTokenIsSignedWithThePublisherKeyAndASubscriberTokenWithTheSubscriberKey()
            throws ProtocolException {
        Authorizer hub = authorizer(PUBLISHER_KEY, SUBSCRIBER_KEY);

        String publisher = run(SEPARATE, "--publish", "*").token();
        String subscriber = run(SEPARATE, "--subscribe", "*").token();
        String admin = run(SEPARATE, "--admin").token();

        hub.publisher(Optional.of(publisher));
        hub.subscriber(Optional.of(subscriber));
        hub.subscriber(Optional.of(admin));
        assertEquals(401, assertThrows(ProtocolException.class,
                () -> hub.subscriber(Optional.of(publisher))).status());
        assertEquals(401, assertThrows(ProtocolException.class,
                () -> hub.publisher(Optional.of(subscriber))).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--subscribe", "--admin"})
    void aTokenAskingForBothRolesWhereTheirKeysDifferIsRefusedWithAdviceToMakeTwo(String second) {
        Run run = second.equals("--admin") ? run(SEPARATE, "--publish", "*", "--admin")
                : run(SEPARATE, "--publish", "*", "--subscribe", "*");

        assertRefused(run, "make two tokens");
    }

    @Test
    void theAdminFlagAddsLifelinesOwnClaimBesideTheMercureOne() throws ProtocolException {
        Run run = run(SHARED, "--admin", "--subscribe", "*");

        authorizer(KEY, KEY).subscriber(Optional.of(run.token())).orElseThrow();
        DecodedJWT jwt = JWT.decode(run.token());
        assertEquals(Map.of(AdminClaim.ADMIN, true), jwt.getClaim(AdminClaim.NAME).asMap());
        assertEquals("lifeline", AdminClaim.NAME);
        assertTrue(JWT.decode(run(SHARED, "--subscribe", "*").token()).getClaim(AdminClaim.NAME).isMissing(),
                "only --admin adds it");
    }

    @Test
    void anAdminTokenAloneIsAllowedAndCarriesNoMercureClaim() {
        Run run = run(SHARED, "--admin");

        assertEquals(0, run.status, run.err);
        assertTrue(JWT.decode(run.token()).getClaim("mercure").isMissing());
    }

    @Test
    void theDefaultLifetimeIsAnHour() throws ProtocolException {
        Instant now = Instant.now();
        Run run = run(SHARED, Clock.fixed(now, ZoneOffset.UTC), "--publish", "*");

        Claims claims = authorizer(KEY, KEY).publisher(Optional.of(run.token()));
        assertEquals(now.plus(TokenCommand.DEFAULT_LIFETIME).getEpochSecond(), claims.expiresAt().getEpochSecond());
        assertEquals(now.getEpochSecond(), JWT.decode(run.token()).getIssuedAtAsInstant().getEpochSecond());
        assertEquals("", run.err);
    }

    @ParameterizedTest
    @CsvSource({"45s,45", "30m,1800", "1h,3600", "7d,604800", "--lifetime=2h,7200"})
    void lifetimesAreGivenWithAUnit(String lifetime, long seconds) {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        Run run = lifetime.startsWith("--")
                ? run(SHARED, Clock.fixed(now, ZoneOffset.UTC), "--publish", "*", lifetime)
                : run(SHARED, Clock.fixed(now, ZoneOffset.UTC), "--publish", "*", "--lifetime", lifetime);

        assertEquals(0, run.status, run.err);
        assertEquals(now.plusSeconds(seconds), JWT.decode(run.token()).getExpiresAtAsInstant());
    }

    @Test
    void aTokenPastItsLifetimeIsRefusedByTheHub() {
        Clock twoHoursAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        Run run = run(SHARED, twoHoursAgo, "--publish", "*");

        ProtocolException refused = assertThrows(ProtocolException.class,
                () -> authorizer(KEY, KEY).publisher(Optional.of(run.token())));
        assertTrue(refused.reason().contains("expired"), refused.reason());
    }

    @Test
    void aLifetimeOfNoneLeavesExpOutAndSaysSoOnStandardError() throws ProtocolException {
        Run run = run(SHARED, "--publish", "*", "--lifetime", "none");

        assertEquals(0, run.status, run.err);
        assertNull(authorizer(KEY, KEY).publisher(Optional.of(run.token())).expiresAt());
        assertTrue(run.err.contains("never expires"), run.err);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "1", "1w", "1.5h", "-1h", "soon", ""})
    void aBadLifetimeIsRefused(String lifetime) {
        Run run = run(SHARED, "--publish", "*", "--lifetime", lifetime);

        assertRefused(run, "--lifetime");
    }

    @Test
    void thePayloadReachesTheHubAsJson() throws Exception {
        String payload = "{\"name\":\"Ada\",\"none\":null,\"deep\":{\"a\":{}},\"tags\":[\"x\",1,2.5,true,null],\"n\":9007199254740993}";
        Run run = run(SHARED, "--subscribe", "*", "--payload", payload);

        Claims claims = authorizer(KEY, KEY).subscriber(Optional.of(run.token())).orElseThrow();
        assertEquals(new ObjectMapper().readTree(payload), claims.payloadFor("*", new TemplateTopicMatcher(10)));
        assertEquals("\"just text\"", authorizer(KEY, KEY)
                .subscriber(Optional.of(run(SHARED, "--subscribe", "*", "--payload", "\"just text\"").token()))
                .orElseThrow().payloadFor("https://example.com/any", new TemplateTopicMatcher(10)).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":", "hello", "{} {}", "", "null", "123456789012345678901234567890"})
    void aPayloadThatIsNotOneJsonValueIsRefusedClearly(String payload) {
        Run run = run(SHARED, "--subscribe", "*", "--payload", payload);

        assertEquals(Main.EXIT_CONFIG, run.status);
        assertEquals("", run.out);
        assertTrue(run.err.startsWith("lifeline token: --payload"), run.err);
    }

    @Test
    void aTokenThatGrantsNothingIsRefusedWithTheUsage() {
        Run run = run(SHARED, "--lifetime", "1h", "--payload", "{}");

        assertRefused(run, "--publish, --subscribe or --admin");
        assertTrue(run.err.contains("usage: java -jar lifeline-server.jar token"), run.err);
    }

    @Test
    void withoutAKeyItNamesTheSettingAndPointsToDevelopmentMode() {
        Run run = run(Map.of(), "--publish", "*");

        assertRefused(run, "LIFELINE_JWT_KEY");
        assertTrue(run.err.contains("development mode"), run.err);
    }

    @Test
    void anRs256PublicKeyCannotSignAndTheMessageSaysWhy() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";

        Run run = run(Map.of("LIFELINE_JWT_KEY", pem, "LIFELINE_JWT_ALGORITHM", "RS256"), "--subscribe", "*");

        assertRefused(run, "public key");
        assertTrue(run.err.contains("cannot sign") && run.err.contains("docs/configuration.md"), run.err);
    }

    @Test
    void theServersFlagsWorkOnTheSameCommandLineAndWinOverTheEnvironment() throws ProtocolException {
        Run run = run(Map.of("LIFELINE_JWT_KEY", "an-other-key-".repeat(4)), "--jwt-key", KEY, "--publish", "*",
                "--port=9999");

        assertEquals(0, run.status, run.err);
        authorizer(KEY, KEY).publisher(Optional.of(run.token()));
    }

    @Test
    void theShortKeyWarningGoesToStandardErrorAndStandardOutputHoldsTheTokenAlone() throws ProtocolException {
        Run run = run(Map.of(), "--jwt-key", "!ChangeMe!", "--publish", "*");

        assertEquals(0, run.status, run.err);
        assertTrue(run.out.matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+\\R"), run.out);
        assertTrue(run.err.contains("shorter than 256 bits"), run.err);
        authorizer("!ChangeMe!", "!ChangeMe!").publisher(Optional.of(run.token()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--publish|needs a value",
        "--publish <empty>|needs a selector",
        "--topic x|unknown flag '--topic'",
        "--admin=yes|takes no value",
        "books|unexpected argument 'books'",
        "--admin --lifetime 1h --lifetime 2h|given twice",
        "--admin --jwt-key|needs a value",
        "--admin --port nope|--port"})
    void aCommandLineItCannotFollowIsRefusedWithTheReason(String commandLine, String reason) {
        String[] args = commandLine.replace("<empty>", "").split(" ", -1);

        Run run = run(SHARED, args);

        assertRefused(run, reason);
    }

    @Test
    void helpGoesToStandardOutputAndNamesEveryFlag() {
        Run run = run(Map.of(), "--publish", "--help");

        assertEquals(0, run.status);
        for (String flag : List.of("--publish SELECTOR", "--subscribe SELECTOR", "--admin", "--payload JSON",
                "--lifetime DURATION", Setting.JWT_KEY.envName(), Setting.PUBLISHER_JWT_KEY.envName())) {
            assertTrue(run.out.contains(flag), run.out);
        }
        assertEquals("", run.err);
    }

    private static Run run(Map<String, String> env, String... args) {
        return run(env, Clock.systemUTC(), args);
    }

    private static Run run(Map<String, String> env, Clock clock, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TokenCommand.run(args, new Properties(), env, clock,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The hub's own checks, with the keys its settings would give it. */
    private static Authorizer authorizer(String publisherKey, String subscriberKey) {
        Settings settings = Settings.of(Map.of(Setting.PUBLISHER_JWT_KEY, publisherKey,
                Setting.SUBSCRIBER_JWT_KEY, subscriberKey));
        return new Authorizer(new Jwts(settings.publisherKey()), new Jwts(settings.subscriberKey()),
                false, new TemplateTopicMatcher(100));
    }

    private static Update privateUpdate(String topic) {
        return new Update("urn:uuid:1", List.of(topic), "", null, OptionalLong.empty(), true);
    }

    private record Run(int status, String out, String err) {
        /** The one line of standard output, checked to be a token and nothing else. */
        String token() {
            assertEquals(0, status, err);
            assertTrue(out.matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+\\R"), "stdout holds the token alone: " + out);
            return out.strip();
        }
    }

    /** Exit status 2, nothing on standard output, and the reason on standard error. */
    private static void assertRefused(Run run, String reason) {
        assertEquals(Main.EXIT_CONFIG, run.status);
        assertEquals("", run.out);
        assertTrue(run.err.contains(reason), run.err);
    }
}
