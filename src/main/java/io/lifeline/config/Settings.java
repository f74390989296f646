package io.lifeline.config;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Lifeline's configuration, parsed and checked once at start-up. A bad value stops start-up with a
 * {@link ConfigException} that names the setting; nothing is silently replaced by a default.
 */
public final class Settings {

    /** Where departures are watched for. */
    public enum WatchMode { AUTO, NONE }

    /** The draft-07 dialect of subscriptions ({@code topic}), as {@code LIFELINE_DIALECTS} names it. */
    public static final String DRAFT_07 = "draft-07";
    /** The Mercure 1.0 dialect of subscriptions ({@code match}), as {@code LIFELINE_DIALECTS} names it. */
    public static final String MERCURE_1_0 = "1.0";

    /**
     * The lifetime bound of a subscriber a departure watch guards, unless configured otherwise: it bounds what no
     * watch and no kernel timeout can see, a client whose process froze while its kernel still acknowledges.
     */
    public static final Duration DEFAULT_WATCHED_LIFETIME = Duration.ofMinutes(30);

    /**
     * The lifetime bound of a subscriber no departure watch guards, unless configured otherwise: there it is also
     * the only bound on a FIN behind a proxy that keeps accepting bytes.
     */
    public static final Duration DEFAULT_UNWATCHED_LIFETIME = Duration.ofMinutes(15);

    /** The embedded program's TCP user timeout unless configured otherwise, or the dispatch timeout if longer. */
    public static final Duration DEFAULT_TCP_USER_TIMEOUT = Duration.ofSeconds(30);

    /** HS256 keys below this many bytes are accepted, with a warning. */
    public static final int RECOMMENDED_KEY_BYTES = 32;

    private final int port;
    private final String host;
    private final boolean http2;
    private final Path tlsKeystore;
    private final String tlsKeystorePassword;
    private final JwtKey publisherKey;
    private final JwtKey subscriberKey;
    private final boolean anonymous;
    private final String resource;
    private final List<TrustedIssuer> issuers;
    private final Set<JWSAlgorithm> algorithms;
    private final String cookieName;
    private final List<String> corsOrigins;
    private final List<String> publishOrigins;
    private final Duration heartbeat;
    private final Duration dispatchTimeout;
    private final long queueBytes;
    private final long unsentBytes;
    private final Duration warmup;
    private final long maxUpdateBytes;
    private final int historySize;
    private final long historyBytes;
    private final String redis;
    private final Duration redisTimeout;
    private final String nodeName;
    private final Duration nodeTimeout;
    private final boolean subscriptionEvents;
    private final Set<String> dialects;
    private final boolean demo;
    private final boolean cursorEvent;
    private final Duration drain;
    /** Null when /metrics is open. */
    private final String metricsToken;
    private final Duration bodyTimeout;
    private final Duration headerTimeout;
    private final int maxConnections;
    private final int maxSubscribers;
    private final int maxSubscribersPerAddress;
    private final List<AddressRange> trustedProxies;
    private final WatchMode watchMode;
    /** Null for auto. */
    private final Duration maxLifetime;
    /** Null for auto. */
    private final Duration tcpUserTimeout;
    private final boolean developmentMode;
    private final List<String> warnings;

    private Settings(Builder b) {
        this.port = b.port;
        this.host = b.host;
        this.http2 = b.http2;
        this.tlsKeystore = b.tlsKeystore;
        this.tlsKeystorePassword = b.tlsKeystorePassword;
        this.publisherKey = b.publisherKey;
        this.subscriberKey = b.subscriberKey;
        this.anonymous = b.anonymous;
        this.resource = b.resource;
        this.issuers = b.issuers;
        this.algorithms = b.algorithms;
        this.cookieName = b.cookieName;
        this.corsOrigins = b.corsOrigins;
        this.publishOrigins = b.publishOrigins;
        this.heartbeat = b.heartbeat;
        this.dispatchTimeout = b.dispatchTimeout;
        this.queueBytes = b.queueBytes;
        this.unsentBytes = b.unsentBytes;
        this.warmup = b.warmup;
        this.maxUpdateBytes = b.maxUpdateBytes;
        this.historySize = b.historySize;
        this.historyBytes = b.historyBytes;
        this.redis = b.redis;
        this.redisTimeout = b.redisTimeout;
        this.nodeName = b.nodeName;
        this.nodeTimeout = b.nodeTimeout;
        this.subscriptionEvents = b.subscriptionEvents;
        this.dialects = b.dialects;
        this.demo = b.demo;
        this.cursorEvent = b.cursorEvent;
        this.drain = b.drain;
        this.metricsToken = b.metricsToken;
        this.bodyTimeout = b.bodyTimeout;
        this.headerTimeout = b.headerTimeout;
        this.maxConnections = b.maxConnections;
        this.maxSubscribers = b.maxSubscribers;
        this.maxSubscribersPerAddress = b.maxSubscribersPerAddress;
        this.trustedProxies = b.trustedProxies;
        this.watchMode = b.watchMode;
        this.maxLifetime = b.maxLifetime;
        this.tcpUserTimeout = b.tcpUserTimeout;
        this.developmentMode = b.developmentMode;
        this.warnings = List.copyOf(b.warnings);
    }

    public static Settings load(ConfigSources sources) {
        Builder b = new Builder();
        b.port = Values.port(value(sources, Setting.PORT));
        b.host = value(sources, Setting.HOST).raw().trim();
        b.http2 = Values.bool(value(sources, Setting.HTTP2));
        ConfigSources.Value keystore = value(sources, Setting.TLS_KEYSTORE);
        ConfigSources.Value keystorePassword = value(sources, Setting.TLS_KEYSTORE_PASSWORD);
        b.tlsKeystore = Values.readableFileOrNone(keystore);
        b.tlsKeystorePassword = keystorePassword.raw();
        if (b.tlsKeystore != null) {
            Values.checkKeystore(b.tlsKeystore, keystore, keystorePassword);
        }
        b.anonymous = Values.bool(value(sources, Setting.ANONYMOUS));
        b.resource = value(sources, Setting.RESOURCE).raw().trim();
        b.algorithms = Values.algorithms(value(sources, Setting.ALGORITHMS));
        b.issuers = TrustedIssuer.parse(value(sources, Setting.ISSUERS), b.algorithms);
        if (!b.issuers.isEmpty() && b.resource.isEmpty()) {
            throw new ConfigException(Setting.ISSUERS.envName() + " names trusted issuers but "
                    + Setting.RESOURCE.envName() + " is empty: a Mercure 1.0 access token must name the hub in its aud "
                    + "(RFC 9068, section 4); set it to the hub's URL, e.g. "
                    + "https://hub.example.com/.well-known/mercure");
        }
        for (TrustedIssuer issuer : b.issuers) {
            if (issuer.jwksUri() != null && issuer.jwksUri().getScheme().equalsIgnoreCase("http")
                    && !isLoopback(issuer.jwksUri().getHost())) {
                b.warnings.add("the keys of issuer '" + issuer.issuer() + "' are fetched over plain http ("
                        + issuer.jwksUri() + "): whoever sits on the path can substitute them");
            }
        }
        b.cookieName = Values.cookieName(value(sources, Setting.COOKIE_NAME));
        b.corsOrigins = Values.origins(value(sources, Setting.CORS_ORIGINS));
        // Inherited from the CORS list, "*" is dropped: any origin may read public updates, none may publish with
        // a visitor's cookie unless named.
        b.publishOrigins = sources.get(Setting.PUBLISH_ORIGINS).map(Values::origins)
                .orElse(b.corsOrigins.stream().filter(o -> !o.equals("*")).toList());
        b.heartbeat = Values.duration(value(sources, Setting.HEARTBEAT));
        b.dispatchTimeout = Values.duration(value(sources, Setting.DISPATCH_TIMEOUT));
        b.queueBytes = Values.size(value(sources, Setting.QUEUE_BYTES));
        b.unsentBytes = Values.socketBytesOrZero(value(sources, Setting.UNSENT_BYTES), 4096);
        b.warmup = Values.durationOrZero(value(sources, Setting.WARMUP));
        b.maxUpdateBytes = Values.size(value(sources, Setting.MAX_UPDATE_BYTES));
        b.historySize = Values.count(value(sources, Setting.HISTORY_SIZE));
        b.historyBytes = Values.size(value(sources, Setting.HISTORY_BYTES));
        ConfigSources.Value transport = value(sources, Setting.TRANSPORT);
        b.redis = Values.transport(transport);
        b.redisTimeout = Values.duration(value(sources, Setting.REDIS_TIMEOUT));
        ConfigSources.Value nodeName = value(sources, Setting.NODE_NAME);
        b.nodeName = isAuto(nodeName) ? null : Values.nodeName(nodeName);
        b.nodeTimeout = Values.duration(value(sources, Setting.NODE_TIMEOUT));
        if (b.redis != null && b.historySize == 0) {
            throw new ConfigException(Setting.HISTORY_SIZE.envName() + " = 0 cannot go with a Redis transport ("
                    + transport.origin() + "): the stream in Redis is both the history and the way updates reach "
                    + "the other nodes, so it keeps at least one update");
        }
        b.subscriptionEvents = Values.bool(value(sources, Setting.SUBSCRIPTION_EVENTS));
        b.dialects = Values.dialects(value(sources, Setting.DIALECTS));
        b.demo = Values.bool(value(sources, Setting.DEMO));
        b.cursorEvent = Values.bool(value(sources, Setting.CURSOR_EVENT));
        b.drain = Values.durationOrZero(value(sources, Setting.DRAIN));
        b.metricsToken = Values.bearerTokenOrNone(value(sources, Setting.METRICS_TOKEN));
        b.bodyTimeout = Values.duration(value(sources, Setting.BODY_TIMEOUT));
        b.headerTimeout = Values.duration(value(sources, Setting.HEADER_TIMEOUT));
        long files = openFilesLimit();
        ConfigSources.Value maxConnections = value(sources, Setting.MAX_CONNECTIONS);
        b.maxConnections = isAuto(maxConnections) ? (int) Math.max(100, Math.min(Integer.MAX_VALUE, files - 100))
                : Values.positiveCount(maxConnections, "or auto");
        ConfigSources.Value maxSubscribers = value(sources, Setting.MAX_SUBSCRIBERS);
        b.maxSubscribers = isAuto(maxSubscribers) ? (int) Math.max(10, Math.min(Integer.MAX_VALUE, files * 9 / 10))
                : Values.count(maxSubscribers);
        b.maxSubscribersPerAddress = Values.count(value(sources, Setting.MAX_SUBSCRIBERS_PER_ADDRESS));
        b.trustedProxies = Values.addressRanges(value(sources, Setting.TRUSTED_PROXIES));
        if (b.metricsToken != null && b.metricsToken.length() < 16) {
            b.warnings.add(Setting.METRICS_TOKEN.envName() + " is shorter than 16 characters: anyone who can try "
                    + "tokens against /metrics may guess it");
        }
        b.watchMode = watchMode(value(sources, Setting.WATCH));
        ConfigSources.Value lifetime = value(sources, Setting.MAX_LIFETIME);
        b.maxLifetime = isAuto(lifetime) ? null : Values.durationOrZero(lifetime);
        ConfigSources.Value userTimeout = value(sources, Setting.TCP_USER_TIMEOUT);
        b.tcpUserTimeout = isAuto(userTimeout) ? null : Values.durationOrZero(userTimeout);
        if (b.tcpUserTimeout != null && !b.tcpUserTimeout.isZero()
                && b.tcpUserTimeout.compareTo(b.dispatchTimeout) < 0) {
            throw Values.bad(userTimeout, "is shorter than " + Setting.DISPATCH_TIMEOUT.envName() + " ("
                    + b.dispatchTimeout.toMillis() + "ms): the kernel would abort the connection of a reader that is "
                    + "only slow before Lifeline ends it write-stalled; use at least that, or 0s for none");
        }

        b.publisherKey = key(sources, Setting.PUBLISHER_JWT_KEY, Setting.PUBLISHER_JWT_ALGORITHM).orElse(null);
        b.subscriberKey = key(sources, Setting.SUBSCRIBER_JWT_KEY, Setting.SUBSCRIBER_JWT_ALGORITHM).orElse(null);
        if ((b.publisherKey == null) != (b.subscriberKey == null)) {
            Setting missing = b.publisherKey != null ? Setting.SUBSCRIBER_JWT_KEY : Setting.PUBLISHER_JWT_KEY;
            throw new ConfigException("no key for " + (b.publisherKey != null ? "subscriber" : "publisher")
                    + " tokens: set " + missing.envName() + " or " + Setting.JWT_KEY.envName());
        }
        if (b.publisherKey == null && !b.issuers.isEmpty() && !b.dialects.contains(MERCURE_1_0)) {
            throw new ConfigException(Setting.DIALECTS.envName() + " leaves out " + MERCURE_1_0 + ", and the only keys "
                    + "are " + Setting.ISSUERS.envName() + " (Mercure 1.0): no token could ever be accepted; set "
                    + Setting.JWT_KEY.envName() + " or speak " + MERCURE_1_0);
        }
        if (b.publisherKey != null && b.issuers.isEmpty() && !b.dialects.contains(DRAFT_07)) {
            throw new ConfigException(Setting.DIALECTS.envName() + " leaves out " + DRAFT_07 + ", and the only key is "
                    + Setting.JWT_KEY.envName() + " (draft-07): no token could ever be accepted; set "
                    + Setting.ISSUERS.envName() + " and " + Setting.RESOURCE.envName() + " or speak " + DRAFT_07);
        }
        for (String unknown : sources.unknownNames()) {
            b.warnings.add(unknown + " is not a Lifeline setting and is ignored");
        }
        warnIfShort(b, "publisher", b.publisherKey);
        if (b.subscriberKey != null && !b.subscriberKey.equals(b.publisherKey)) {
            warnIfShort(b, "subscriber", b.subscriberKey);
        }
        if (b.publishOrigins.contains("*")) {
            b.warnings.add(Setting.PUBLISH_ORIGINS.envName() + " allows any origin to publish with a visitor's "
                    + "cookie: the protocol's CSRF protection is off");
        }
        if (b.corsOrigins.contains("*")) {
            b.warnings.add(Setting.CORS_ORIGINS.envName() + " allows any origin: such pages may read public "
                    + "updates, though never with the browser's cookies");
        }
        return new Settings(b);
    }

    /** The standard sources of a web app, plus flags (empty in a WAR). */
    public static Settings load(Map<Setting, String> flags, Function<String, String> initParams) {
        return load(ConfigSources.of(flags, System.getProperties(), System.getenv(), initParams));
    }

    /** Test and embedding convenience: settings from the given values only, everything else at its default. */
    public static Settings of(Map<Setting, String> values) {
        return load(ConfigSources.of(values, new Properties(), Map.of(), name -> null));
    }

    /** The issuer of the development mode's Mercure 1.0 access tokens, signed with its generated key (HS256). */
    public static final String DEVELOPMENT_ISSUER = "urn:lifeline:development";

    /** The address development mode listens on unless {@code LIFELINE_HOST} names another. */
    public static final String DEVELOPMENT_HOST = "127.0.0.1";

    /**
     * The embedded program's development mode: no key was configured, so this run gets a generated one and lets
     * subscribers in without a token. It listens on loopback only unless a host was set: the tokens it prints may
     * publish and subscribe to everything. The same key signs draft-07 tokens and, as {@link #DEVELOPMENT_ISSUER}
     * with HS256, Mercure 1.0 access tokens for the resource {@code http://localhost:<port>/.well-known/mercure}
     * unless {@code LIFELINE_RESOURCE} names another.
     */
    public Settings withDevelopmentKey(String generatedKey) {
        Builder b = new Builder(this);
        JwtKey key = new JwtKey(JwtKey.Algorithm.HS256, generatedKey, null);
        b.publisherKey = key;
        b.subscriberKey = key;
        b.anonymous = true;
        b.developmentMode = true;
        if (b.issuers.isEmpty()) {
            b.issuers = List.of(new TrustedIssuer(DEVELOPMENT_ISSUER, new JWKSet(new OctetSequenceKey.Builder(
                    generatedKey.getBytes(StandardCharsets.UTF_8)).algorithm(JWSAlgorithm.HS256).build()), null,
                    false));
            Set<JWSAlgorithm> algorithms = new LinkedHashSet<>(b.algorithms);
            algorithms.add(JWSAlgorithm.HS256);
            b.algorithms = Collections.unmodifiableSet(algorithms);
        }
        if (b.resource.isEmpty()) {
            b.resource = developmentResource(b.port);
        }
        if (b.host.isEmpty()) {
            b.host = DEVELOPMENT_HOST;
        }
        return new Settings(b);
    }

    /**
     * These settings once the embedded program's port is bound: where development mode derived the resource
     * identifier from port 0 ({@link #withDevelopmentKey}), it names the bound port instead; otherwise unchanged.
     */
    public Settings withBoundPort(int bound) {
        if (!developmentMode || port != 0 || !resource.equals(developmentResource(0))) {
            return this;
        }
        Builder b = new Builder(this);
        b.port = bound;
        b.resource = developmentResource(bound);
        return new Settings(b);
    }

    private static String developmentResource(int port) {
        return "http://localhost:" + port + "/.well-known/mercure";
    }

    private static ConfigSources.Value value(ConfigSources sources, Setting setting) {
        return sources.get(setting)
                .orElse(new ConfigSources.Value(setting.defaultValue(), "default of " + setting.envName()));
    }

    /** A role's key: its own setting, else the shared one, each with its own algorithm setting, else the shared. */
    private static Optional<JwtKey> key(ConfigSources sources, Setting ownKey, Setting ownAlgorithm) {
        Optional<ConfigSources.Value> material = sources.get(ownKey).or(() -> sources.get(Setting.JWT_KEY));
        if (material.isEmpty()) {
            return Optional.empty();
        }
        String raw = Values.nonEmpty(material.get());
        ConfigSources.Value algorithm = sources.get(ownAlgorithm).orElseGet(() -> value(sources, Setting.JWT_ALGORITHM));
        return Optional.of(JwtKey.parse(algorithm.raw(), algorithm.origin(), raw, material.get().origin()));
    }

    /** The process's open-files limit, which bounds the connections it can hold; a large number where unknown. */
    private static long openFilesLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return 1_000_000;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    private static boolean isAuto(ConfigSources.Value v) {
        return v.raw().trim().equals("auto");
    }

    private static WatchMode watchMode(ConfigSources.Value v) {
        try {
            return WatchMode.valueOf(v.raw().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Values.bad(v, "must be auto or none");
        }
    }

    private static void warnIfShort(Builder b, String role, JwtKey key) {
        if (key != null && key.secretLength() < RECOMMENDED_KEY_BYTES) {
            b.warnings.add("the HS256 key for " + role + " tokens is shorter than 256 bits (" + key.secretLength()
                    + " bytes): anyone who can try keys offline may guess it; use at least " + RECOMMENDED_KEY_BYTES
                    + " random bytes");
        }
    }

    public int port() {
        return port;
    }

    /** The address to bind, or null for every interface. */
    public String host() {
        return host.isEmpty() ? null : host;
    }

    public boolean http2() {
        return http2;
    }

    /** The keystore of the embedded program's HTTPS, or null for plain HTTP. */
    public Path tlsKeystore() {
        return tlsKeystore;
    }

    public String tlsKeystorePassword() {
        return tlsKeystorePassword;
    }

    /**
     * Whether any key was configured, draft-07 keys or Mercure 1.0 trusted issuers; without one only the embedded
     * program's development mode can start.
     */
    public boolean hasKeys() {
        return publisherKey != null || !issuers.isEmpty();
    }

    /** Whether draft-07 tokens have keys ({@code LIFELINE_JWT_KEY} and its per-role variants). */
    public boolean hasDraft07Keys() {
        return publisherKey != null;
    }

    /** @throws ConfigException when neither draft-07 keys nor Mercure 1.0 issuers are configured */
    public void requireKeys() {
        if (!hasKeys()) {
            throw new ConfigException("no key is configured: set " + Setting.JWT_KEY.envName() + " for draft-07 "
                    + "tokens, or " + Setting.ISSUERS.envName() + " and " + Setting.RESOURCE.envName()
                    + " for Mercure 1.0 access tokens, or both");
        }
    }

    /** The identifier a Mercure 1.0 access token's {@code aud} must contain, or empty when none is configured. */
    public String resource() {
        return resource;
    }

    /** The issuers whose Mercure 1.0 access tokens are trusted, each with the source of its keys. */
    public List<TrustedIssuer> issuers() {
        return issuers;
    }

    /** The signature algorithms a Mercure 1.0 access token may use. */
    public Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    public JwtKey publisherKey() {
        return requireKey(publisherKey);
    }

    public JwtKey subscriberKey() {
        return requireKey(subscriberKey);
    }

    private static JwtKey requireKey(JwtKey key) {
        if (key == null) {
            throw new ConfigException("no JWT key is configured: set " + Setting.JWT_KEY.envName() + " (or "
                    + Setting.PUBLISHER_JWT_KEY.envName() + " and " + Setting.SUBSCRIBER_JWT_KEY.envName() + ")");
        }
        return key;
    }

    public boolean anonymous() {
        return anonymous;
    }

    public String cookieName() {
        return cookieName;
    }

    /** Origins whose pages may use the hub from a browser; {@code *} for any (never with credentials). */
    public List<String> corsOrigins() {
        return corsOrigins;
    }

    /** Origins, besides the hub's own, allowed to publish with the cookie. */
    public List<String> publishOrigins() {
        return publishOrigins;
    }

    public Duration heartbeat() {
        return heartbeat;
    }

    public Duration dispatchTimeout() {
        return dispatchTimeout;
    }

    public long queueBytes() {
        return queueBytes;
    }

    /** The longest the embedded program's warm-up at start-up runs ({@link Setting#WARMUP}); zero for none. */
    public Duration warmup() {
        return warmup;
    }

    /** The bytes of a subscriber's stream the kernel may hold unsent ({@link Setting#UNSENT_BYTES}); 0 for no bound. */
    public long unsentBytes() {
        return unsentBytes;
    }

    public long maxUpdateBytes() {
        return maxUpdateBytes;
    }

    public int historySize() {
        return historySize;
    }

    public long historyBytes() {
        return historyBytes;
    }

    /** The Redis URI of the cluster this hub is a node of, or null for the in-memory transport. */
    public String redis() {
        return redis;
    }

    /** Longest one Redis command may take. */
    public Duration redisTimeout() {
        return redisTimeout;
    }

    /** This node's name in a cluster, or null for one made up at start-up (host name and a random suffix). */
    public String nodeName() {
        return nodeName;
    }

    /** How long a node of a cluster may stay silent in Redis before it is taken for gone. */
    public Duration nodeTimeout() {
        return nodeTimeout;
    }

    public boolean subscriptionEvents() {
        return subscriptionEvents;
    }

    /** Whether subscriptions may speak this generation of the protocol: {@link #DRAFT_07} or {@link #MERCURE_1_0}. */
    public boolean speaks(String dialect) {
        return dialects.contains(dialect);
    }

    /** Whether every stream gets an id-only cursor block before its first update ({@code LIFELINE_CURSOR_EVENT}). */
    public boolean cursorEvent() {
        return cursorEvent;
    }

    /** Whether the live page offers the F5 demonstration ({@code LIFELINE_DEMO}). */
    public boolean demo() {
        return demo;
    }

    /** How long a shutdown spreads the ends of its subscribers over; zero ends them all at once. */
    public Duration drain() {
        return drain;
    }

    /** Longest a publish request's body may take to arrive. */
    public Duration bodyTimeout() {
        return bodyTimeout;
    }

    /** Embedded program: longest a connection may take to send a request's headers. */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** Embedded program: connections held at most. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Subscribers held at most; zero for no limit. */
    public int maxSubscribers() {
        return maxSubscribers;
    }

    /** Subscribers one client address (one /64 for IPv6) may hold; zero for no limit. */
    public int maxSubscribersPerAddress() {
        return maxSubscribersPerAddress;
    }

    /** Proxies whose forwarding headers name the client's address. */
    public List<AddressRange> trustedProxies() {
        return trustedProxies;
    }

    /** The bearer token {@code /metrics} asks for, or null when it answers anyone. */
    public String metricsToken() {
        return metricsToken;
    }

    public WatchMode watchMode() {
        return watchMode;
    }

    /**
     * The longest a subscriber stays connected, before the jitter that shortens it by up to a fifth; zero for
     * unbounded.
     *
     * @param watched whether a departure watch guards the subscriber
     */
    public Duration maxLifetime(boolean watched) {
        if (maxLifetime != null) {
            return maxLifetime;
        }
        return watched ? DEFAULT_WATCHED_LIFETIME : DEFAULT_UNWATCHED_LIFETIME;
    }

    /**
     * The TCP user timeout to set on every subscriber's connection; zero for none.
     *
     * @param embedded whether this is the embedded program, where {@code auto} turns it on: it can reach the
     *                 connections' descriptors by itself, which a WAR can only with a JVM flag the operator adds
     */
    public Duration tcpUserTimeout(boolean embedded) {
        if (tcpUserTimeout != null) {
            return tcpUserTimeout;
        }
        if (!embedded) {
            return Duration.ZERO;
        }
        return dispatchTimeout.compareTo(DEFAULT_TCP_USER_TIMEOUT) > 0 ? dispatchTimeout : DEFAULT_TCP_USER_TIMEOUT;
    }

    public boolean developmentMode() {
        return developmentMode;
    }

    /** Things start-up should say out loud, such as a short key. */
    public List<String> warnings() {
        return warnings;
    }

    /** The transport as logs and messages show it: a Redis URI without its password. */
    public String shownTransport() {
        return redis == null ? "memory" : redis.replaceFirst("//[^@/?#]*@", "//***@");
    }

    /** One line for the start-up log; keys are never printed. */
    public String describe() {
        return "heartbeat=" + heartbeat.toMillis() + "ms dispatchTimeout=" + dispatchTimeout.toMillis()
                + "ms queueBytes=" + queueBytes + " unsentBytes=" + unsentBytes + " maxUpdateBytes=" + maxUpdateBytes
                + " history=" + historySize
                + "/" + historyBytes + "B transport=" + shownTransport()
                + " drain=" + drain.toMillis() + "ms anonymous=" + anonymous
                + " subscriptionEvents=" + subscriptionEvents + " dialects=" + String.join(",", dialects)
                + " demo=" + demo + (cursorEvent ? "" : " cursorEvent=false") + " corsOrigins=" + corsOrigins
                + " metricsToken=" + (metricsToken == null ? "none" : "set")
                + " bodyTimeout=" + bodyTimeout.toMillis() + "ms headerTimeout=" + headerTimeout.toMillis()
                + "ms maxConnections=" + maxConnections + " maxSubscribers=" + maxSubscribers
                + " maxSubscribersPerAddress=" + maxSubscribersPerAddress + " trustedProxies=" + trustedProxies
                + " watch=" + watchMode.name().toLowerCase(Locale.ROOT) + " maxLifetime=" + (maxLifetime != null
                ? maxLifetime.toSeconds() + "s" : "auto (" + DEFAULT_WATCHED_LIFETIME.toSeconds() + "s, unwatched "
                + DEFAULT_UNWATCHED_LIFETIME.toSeconds() + "s)")
                + " keys=" + (publisherKey == null ? "none" : publisherKey + "/" + subscriberKey
                + (publisherKey.equals(subscriberKey) ? " (shared)" : " (separate)"))
                + (dialects.contains(MERCURE_1_0) ? " resource=" + (resource.isEmpty() ? "none" : resource)
                + " issuers=" + issuers + " algorithms=" + TrustedIssuer.names(algorithms) : "");
    }

    private static final class Builder {
        int port;
        String host;
        boolean http2;
        Path tlsKeystore;
        String tlsKeystorePassword;
        JwtKey publisherKey;
        JwtKey subscriberKey;
        boolean anonymous;
        String resource;
        List<TrustedIssuer> issuers;
        Set<JWSAlgorithm> algorithms;
        String cookieName;
        List<String> corsOrigins;
        List<String> publishOrigins;
        Duration heartbeat;
        Duration dispatchTimeout;
        long queueBytes;
        long unsentBytes;
        Duration warmup;
        long maxUpdateBytes;
        int historySize;
        long historyBytes;
        String redis;
        Duration redisTimeout;
        String nodeName;
        Duration nodeTimeout;
        boolean subscriptionEvents;
        Set<String> dialects;
        boolean demo;
        boolean cursorEvent;
        Duration drain;
        String metricsToken;
        Duration bodyTimeout;
        Duration headerTimeout;
        int maxConnections;
        int maxSubscribers;
        int maxSubscribersPerAddress;
        List<AddressRange> trustedProxies;
        WatchMode watchMode;
        Duration maxLifetime;
        Duration tcpUserTimeout;
        boolean developmentMode;
        final List<String> warnings = new ArrayList<>();

        Builder() {
        }

        Builder(Settings s) {
            port = s.port;
            host = s.host;
            http2 = s.http2;
            tlsKeystore = s.tlsKeystore;
            tlsKeystorePassword = s.tlsKeystorePassword;
            publisherKey = s.publisherKey;
            subscriberKey = s.subscriberKey;
            anonymous = s.anonymous;
            resource = s.resource;
            issuers = s.issuers;
            algorithms = s.algorithms;
            cookieName = s.cookieName;
            corsOrigins = s.corsOrigins;
            publishOrigins = s.publishOrigins;
            heartbeat = s.heartbeat;
            dispatchTimeout = s.dispatchTimeout;
            queueBytes = s.queueBytes;
            unsentBytes = s.unsentBytes;
            warmup = s.warmup;
            maxUpdateBytes = s.maxUpdateBytes;
            historySize = s.historySize;
            historyBytes = s.historyBytes;
            redis = s.redis;
            redisTimeout = s.redisTimeout;
            nodeName = s.nodeName;
            nodeTimeout = s.nodeTimeout;
            subscriptionEvents = s.subscriptionEvents;
            dialects = s.dialects;
            demo = s.demo;
            cursorEvent = s.cursorEvent;
            drain = s.drain;
            metricsToken = s.metricsToken;
            bodyTimeout = s.bodyTimeout;
            headerTimeout = s.headerTimeout;
            maxConnections = s.maxConnections;
            maxSubscribers = s.maxSubscribers;
            maxSubscribersPerAddress = s.maxSubscribersPerAddress;
            trustedProxies = s.trustedProxies;
            watchMode = s.watchMode;
            maxLifetime = s.maxLifetime;
            tcpUserTimeout = s.tcpUserTimeout;
            developmentMode = s.developmentMode;
            warnings.addAll(s.warnings);
        }
    }
}
