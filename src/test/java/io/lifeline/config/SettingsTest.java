package io.lifeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.lifeline.testing.AccessTokenIssuer;
import io.lifeline.testing.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Where settings come from, which source wins, and how bad values are reported. */
class SettingsTest {

    private static final String KEY = "k".repeat(40);

    @Test
    void flagsWinOverSystemPropertiesWhichWinOverTheEnvironmentWhichWinsOverInitParams() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        Properties props = new Properties();
        Map<String, String> env = Map.of("LIFELINE_JWT_KEY", KEY,
                "LIFELINE_HEARTBEAT", "3s", "LIFELINE_DISPATCH_TIMEOUT", "3s", "LIFELINE_QUEUE_BYTES", "3KiB");
        Map<String, String> init = Map.of("lifeline.heartbeat", "4s", "lifeline.dispatch.timeout", "4s",
                "lifeline.queue.bytes", "4KiB", "lifeline.max.update.bytes", "4KiB");
        flags.put(Setting.HEARTBEAT, "1s");
        props.setProperty("lifeline.heartbeat", "2s");
        props.setProperty("lifeline.dispatch.timeout", "2s");

        Settings s = Settings.load(ConfigSources.of(flags, props, env, init::get));

        assertEquals(Duration.ofSeconds(1), s.departures().heartbeat(), "flag over property");
        assertEquals(Duration.ofSeconds(2), s.departures().dispatchTimeout(), "property over environment");
        assertEquals(3 * 1024, s.departures().queueBytes(), "environment over init-param");
        assertEquals(4 * 1024, s.hub().maxUpdateBytes(), "init-param over default");
        assertEquals(8080, s.server().port(), "default");
    }

    @Test
    void defaultsAreSensible() {
        Settings s = Settings.of(Map.of(Setting.JWT_KEY, KEY));
        assertEquals(Duration.ofSeconds(15), s.departures().heartbeat());
        assertEquals(Duration.ofSeconds(5), s.departures().dispatchTimeout());
        assertFalse(s.authorization().anonymous());
        assertEquals(Settings.WatchMode.AUTO, s.departures().watchMode());
        assertTrue(s.warnings().isEmpty(), s.warnings().toString());
    }

    @ParameterizedTest
    @CsvSource({"500ms,500", "15s,15000", "2m,120000", "1h,3600000"})
    void durationsTakeAUnit(String value, long millis) {
        assertEquals(Duration.ofMillis(millis), Settings.of(Map.of(Setting.HEARTBEAT, value)).departures().heartbeat());
    }

    @ParameterizedTest
    @ValueSource(strings = {"15", "0s", "fast", "1.5s", "-1s", "15 seconds", ""})
    void aDurationWithoutAValidUnitStopsStartUpNamingTheSetting(String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.of(Map.of(Setting.HEARTBEAT, value)));
        assertTrue(e.getMessage().contains("--heartbeat"), e.getMessage());
    }

    @Test
    void theTransportIsMemoryUnlessARedisUriIsGiven() {
        assertEquals(null, Settings.of(Map.of(Setting.JWT_KEY, KEY)).cluster().redis());
        assertEquals("memory", Settings.of(Map.of(Setting.JWT_KEY, KEY)).cluster().shownTransport());
        for (String uri : List.of("redis://127.0.0.1:6379", "rediss://cache.example.com:6380/2",
                "redis-sentinel://s1:26379,s2:26379/0#mymaster")) {
            assertEquals(uri, Settings.of(Map.of(Setting.JWT_KEY, KEY, Setting.TRANSPORT, uri)).cluster().redis());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "http://127.0.0.1:6379", "redis://", "redis://:secret@/0", "kafka://k:9092"})
    void aTransportThatIsNeitherMemoryNorARedisUriStopsStartUp(String transport) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.of(Map.of(Setting.JWT_KEY, KEY, Setting.TRANSPORT, transport)));
        assertTrue(e.getMessage().contains("LIFELINE_TRANSPORT") || e.getMessage().contains("transport"),
                e.getMessage());
    }

    @Test
    void aRedisPasswordIsNeverShown() {
        Settings s = Settings.of(Map.of(Setting.JWT_KEY, KEY, Setting.TRANSPORT, "redis://user:secret@db:6379/1"));
        assertEquals("redis://***@db:6379/1", s.cluster().shownTransport());
        assertFalse(s.describe().contains("secret"), s.describe());
    }

    @Test
    void aRedisTransportKeepsAtLeastOneUpdate() {
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.JWT_KEY, KEY,
                Setting.TRANSPORT, "redis://127.0.0.1:6379", Setting.HISTORY_SIZE, "0")));
        assertTrue(e.getMessage().startsWith("LIFELINE_HISTORY_SIZE = 0 cannot go with a Redis transport"),
                e.getMessage());
    }

    @Test
    void anEnvironmentVariableIsNamedInTheError() {
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.load(ConfigSources.of(
                Map.of(), new Properties(), Map.of("LIFELINE_DISPATCH_TIMEOUT", "5"), n -> null)));
        assertTrue(e.getMessage().startsWith("environment variable LIFELINE_DISPATCH_TIMEOUT = '5'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TRUE", "yes", "1", "True", " true"})
    void anonymousIsExactlyTrueOrFalse(String value) {
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.ANONYMOUS, value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "http", "80.5"})
    void aBadPortStopsStartUp(String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.PORT, value)));
        assertTrue(e.getMessage().contains("--port"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"65536,65536", "64KiB,65536", "4MiB,4194304", "1GiB,1073741824"})
    void sizesTakeBytesOrABinaryUnit(String value, long bytes) {
        assertEquals(bytes, Settings.of(Map.of(Setting.QUEUE_BYTES, value)).departures().queueBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1MB", "lots", "4GiB"})
    void aBadSizeStopsStartUp(String value) {
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.QUEUE_BYTES, value)));
    }

    @ParameterizedTest
    @CsvSource({"0,0", "4KiB,4096", "64KiB,65536", "1GiB,1073741824"})
    void theUnsentBoundIsZeroForNoneOrFromFourKibibytes(String value, long bytes) {
        assertEquals(bytes, Settings.of(Map.of(Setting.UNSENT_BYTES, value)).departures().unsentBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"4095", "1B", "2GiB", "-1", "64KB"})
    void anUnsentBoundOutsideItsRangeStopsStartUpNamingIt(String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.of(Map.of(Setting.UNSENT_BYTES, value)));
        assertTrue(e.getMessage().contains("LIFELINE_UNSENT_BYTES") || e.getMessage().contains("--unsent-bytes"),
                e.getMessage());
    }

    @Test
    void aPublisherKeyWithoutASubscriberKeyStopsStartUpNamingWhatIsMissing() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.of(Map.of(Setting.PUBLISHER_JWT_KEY, KEY)));
        assertTrue(e.getMessage().contains("LIFELINE_SUBSCRIBER_JWT_KEY"), e.getMessage());
    }

    @Test
    void subscriptionsSpeakBothDialectsUnlessOneIsLeftOutAndAnUnknownOrEmptyListStopsStartUp() {
        Settings both = Settings.of(Map.of(Setting.JWT_KEY, KEY));
        assertTrue(both.hub().speaks(Settings.DRAFT_07) && both.hub().speaks(Settings.MERCURE_1_0));
        Settings one = Settings.of(Map.of(Setting.JWT_KEY, KEY, Setting.DIALECTS, " draft-07 "));
        assertTrue(one.hub().speaks(Settings.DRAFT_07) && !one.hub().speaks(Settings.MERCURE_1_0));
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> Settings.of(Map.of(Setting.JWT_KEY, KEY, Setting.DIALECTS, "draft-07,draft-08")));
        assertTrue(unknown.getMessage().contains("'draft-08': the dialects are draft-07 and 1.0"),
                unknown.getMessage());
        ConfigException none = assertThrows(ConfigException.class,
                () -> Settings.of(Map.of(Setting.JWT_KEY, KEY, Setting.DIALECTS, " , ")));
        assertTrue(none.getMessage().contains("names no dialect"), none.getMessage());
    }

    @Test
    void anEmptyKeyStopsStartUp() {
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.JWT_KEY, "")));
    }

    @Test
    void withoutAnyKeyOnlyDevelopmentModeCanStart() {
        Settings none = Settings.of(Map.of());
        assertFalse(none.authorization().hasKeys());
        ConfigException e = assertThrows(ConfigException.class, none::publisherKey);
        assertTrue(e.getMessage().contains("LIFELINE_JWT_KEY"), e.getMessage());
        Settings dev = none.withDevelopmentKey(KEY);
        assertTrue(dev.developmentMode());
        assertTrue(dev.authorization().anonymous());
        assertEquals(KEY, dev.subscriberKey().secret());
    }

    @Test
    void trustedIssuersAloneAreKeysEnoughToStartWithoutDevelopmentMode() {
        String jwks = new AccessTokenIssuer("https://publisher.example").jwks();
        Settings s = Settings.of(Map.of(Setting.RESOURCE, "https://hub.example/.well-known/mercure",
                Setting.ISSUERS, "{\"https://publisher.example\": {\"jwks\": " + jwks + "}}"));

        assertTrue(s.authorization().hasKeys());
        assertFalse(s.authorization().hasDraft07Keys());
        s.requireKeys();
        assertEquals("https://publisher.example", s.authorization().issuers().get(0).issuer());
        assertEquals(List.of("EdDSA", "ES256", "RS256"),
                s.authorization().algorithms().stream().map(a -> a.getName()).toList());
    }

    @Test
    void badTrustedIssuersStopStartUpNamingTheIssuerAndTheProblem() throws Exception {
        String rsa = new RSAKeyGenerator(2048).generate().toPublicJWK().toString();
        String privateEd = new AccessTokenIssuer("x").key().toString();
        String resource = "https://hub.example/.well-known/mercure";
        Map<String, Map<Setting, String>> cases = new LinkedHashMap<>();
        cases.put("is not JSON", Map.of(Setting.RESOURCE, resource, Setting.ISSUERS, "{\"a\": "));
        cases.put("no single source of keys", Map.of(Setting.RESOURCE, resource, Setting.ISSUERS,
                "{\"https://a\": {}}"));
        cases.put("LIFELINE_RESOURCE is empty", Map.of(Setting.ISSUERS,
                "{\"https://a\": {\"jwks_uri\": \"https://a/jwks\"}}"));
        cases.put("with its private part", Map.of(Setting.RESOURCE, resource, Setting.ISSUERS,
                "{\"https://a\": {\"jwks\": {\"keys\": [" + privateEd + "]}}}"));
        cases.put("no algorithm of LIFELINE_ALGORITHMS", Map.of(Setting.RESOURCE, resource, Setting.ALGORITHMS,
                "EdDSA", Setting.ISSUERS, "{\"https://a\": {\"jwks\": {\"keys\": [" + rsa + "]}}}"));
        cases.put("shorter than 256 bits", Map.of(Setting.RESOURCE, resource, Setting.ALGORITHMS, "HS256",
                Setting.ISSUERS, "{\"https://a\": {\"jwks\": {\"keys\": [{\"kty\": \"oct\", \"k\": \"c2hvcnQ\"}]}}}"));
        cases.put("not an http(s) URL", Map.of(Setting.RESOURCE, resource, Setting.ISSUERS,
                "{\"https://a\": {\"jwks_uri\": \"file:///etc/passwd\"}}"));
        cases.put("cannot be read", Map.of(Setting.RESOURCE, resource, Setting.ISSUERS,
                "{\"https://a\": {\"jwks_file\": \"/nonexistent/jwks.json\"}}"));
        cases.put("holds none", Map.of(Setting.ALGORITHMS, "EdDSA,none"));
        cases.put("names no issuer", Map.of(Setting.RESOURCE, resource, Setting.ISSUERS, "{}"));
        cases.put("no token could ever be accepted; set LIFELINE_JWT_KEY", Map.of(Setting.RESOURCE, resource,
                Setting.DIALECTS, "draft-07", Setting.ISSUERS, "{\"https://a\": {\"jwks_uri\": \"https://a/j\"}}"));
        cases.put("no token could ever be accepted; set LIFELINE_ISSUERS", Map.of(Setting.JWT_KEY, KEY,
                Setting.DIALECTS, "1.0"));
        cases.put("'es256', which is not one of", Map.of(Setting.ALGORITHMS, "es256"));
        for (Map.Entry<String, Map<Setting, String>> c : cases.entrySet()) {
            ConfigException e = assertThrows(ConfigException.class, () -> Settings.of(c.getValue()), c.getKey());
            assertTrue(e.getMessage().contains(c.getKey()), c.getKey() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("[Source"), "no parser internals: " + e.getMessage());
        }
    }

    @Test
    void developmentModeTrustsItsOwnIssuerForMercure10AccessTokens() {
        Settings dev = Settings.of(Map.of(Setting.PORT, "8080")).withDevelopmentKey(KEY);

        assertEquals(Settings.DEVELOPMENT_ISSUER, dev.authorization().issuers().get(0).issuer());
        assertEquals("http://localhost:8080/.well-known/mercure", dev.authorization().resource());
        assertTrue(dev.authorization().algorithms().stream().anyMatch(a -> a.getName().equals("HS256")));
    }

    @Test
    void aMisspelledSettingIsWarnedAbout() {
        Settings s = Settings.load(ConfigSources.of(Map.of(), new Properties(),
                Map.of("LIFELINE_JWT_KEY", KEY, "LIFELINE_HEARTBEET", "1s"), n -> null));
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("LIFELINE_HEARTBEET")), s.warnings().toString());
    }

    @Test
    void theTcpUserTimeoutIsOnInTheEmbeddedProgramAndOptInForAWar() {
        Settings defaults = Settings.of(Map.of());
        assertEquals(Duration.ofSeconds(30), defaults.departures().tcpUserTimeout(true));
        assertEquals(Duration.ZERO, defaults.departures().tcpUserTimeout(false));
        Settings set = Settings.of(Map.of(Setting.TCP_USER_TIMEOUT, "45s"));
        assertEquals(Duration.ofSeconds(45), set.departures().tcpUserTimeout(true));
        assertEquals(Duration.ofSeconds(45), set.departures().tcpUserTimeout(false));
        assertEquals(Duration.ZERO,
                Settings.of(Map.of(Setting.TCP_USER_TIMEOUT, "0s")).departures().tcpUserTimeout(true));
    }

    @Test
    void theTcpUserTimeoutIsNeverBelowTheDispatchTimeout() {
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.of(Map.of(
                Setting.DISPATCH_TIMEOUT, "10s", Setting.TCP_USER_TIMEOUT, "5s")));
        assertTrue(e.getMessage().contains("tcp-user-timeout = '5s' is shorter than LIFELINE_DISPATCH_TIMEOUT"),
                e.getMessage());
        // Left to auto, it follows a dispatch timeout raised above its default.
        assertEquals(Duration.ofSeconds(60), Settings.of(Map.of(Setting.DISPATCH_TIMEOUT, "60s"))
                .departures().tcpUserTimeout(true));
    }

    @Test
    void trustedProxiesAreAddressesOrRangesAndAnythingElseStopsStartUp() {
        List<AddressRange> ranges = Settings.of(Map.of(Setting.TRUSTED_PROXIES, "10.0.0.0/8, 192.0.2.7,fd00::/8"))
                .hub().trustedProxies();
        assertEquals(3, ranges.size());
        assertTrue(ranges.get(0).contains(InetAddresses.forString("10.200.3.4")));
        assertFalse(ranges.get(0).contains(InetAddresses.forString("11.0.0.1")));
        assertTrue(ranges.get(1).contains(InetAddresses.forString("192.0.2.7")));
        assertFalse(ranges.get(1).contains(InetAddresses.forString("192.0.2.8")));
        assertTrue(ranges.get(2).contains(InetAddresses.forString("fd12::1")));
        assertFalse(ranges.get(2).contains(InetAddresses.forString("10.0.0.1")), "no IPv4 in an IPv6 range");
        for (String bad : new String[] {"10.0.0.0/99", "proxy.example.com", "10.0.0.0/x"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Settings.of(Map.of(Setting.TRUSTED_PROXIES, bad)));
            assertTrue(e.getMessage().contains("trusted-proxies"), e.getMessage());
        }
    }

    @Test
    void theMetricsTokenIsABearerTokenAndAShortOneIsWarnedAbout() {
        assertEquals(null, Settings.of(Map.of()).operations().metricsToken());
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.METRICS_TOKEN, "has a space")));
        assertTrue(Settings.of(Map.of(Setting.METRICS_TOKEN, "short")).warnings().stream()
                .anyMatch(w -> w.contains("LIFELINE_METRICS_TOKEN")));
    }

    @Test
    void limitsAreCountsOrAutoFromTheOpenFilesLimit() {
        Settings defaults = Settings.of(Map.of());
        assertTrue(defaults.server().maxConnections() >= 100 && defaults.hub().maxSubscribers() >= 10);
        assertEquals(0, defaults.hub().maxSubscribersPerAddress());
        assertEquals(Duration.ofSeconds(10), defaults.server().headerTimeout());
        assertEquals(Duration.ofSeconds(10), defaults.hub().bodyTimeout());
        assertEquals(0, Settings.of(Map.of(Setting.MAX_SUBSCRIBERS, "0")).hub().maxSubscribers());
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.MAX_CONNECTIONS, "0")));
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.MAX_SUBSCRIBERS, "-1")));
    }

    @Test
    void theWatchIsAutoOrNone() {
        assertEquals(Settings.WatchMode.NONE, Settings.of(Map.of(Setting.WATCH, "none")).departures().watchMode());
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(Setting.WATCH, "magic")));
    }

    @Test
    void keysNeverAppearInTheDescription() {
        assertFalse(Settings.of(Map.of(Setting.JWT_KEY, KEY)).describe().contains(KEY));
    }

    @Test
    void aKeystoreThatCannotBeOpenedStopsStartUpNamingBothSettingsButNotThePassword(@TempDir Path dir)
            throws Exception {
        Path keystore = Tls.keystore(dir);
        ConfigException wrongPassword = assertThrows(ConfigException.class, () -> Settings.of(Map.of(
                Setting.TLS_KEYSTORE, keystore.toString(), Setting.TLS_KEYSTORE_PASSWORD, "not-the-password")));
        assertTrue(wrongPassword.getMessage().contains("--tls-keystore"), wrongPassword.getMessage());
        assertTrue(wrongPassword.getMessage().contains("--tls-keystore-password"), wrongPassword.getMessage());
        assertFalse(wrongPassword.getMessage().contains("not-the-password"), wrongPassword.getMessage());

        Path notAKeystore = Files.writeString(dir.resolve("notes.txt"), "not a keystore");
        assertThrows(ConfigException.class, () -> Settings.of(Map.of(
                Setting.TLS_KEYSTORE, notAKeystore.toString(), Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD)));

        Settings good = Settings.of(Map.of(Setting.TLS_KEYSTORE, keystore.toString(),
                Setting.TLS_KEYSTORE_PASSWORD, Tls.PASSWORD));
        assertEquals(keystore, good.server().tlsKeystore());
    }
}
