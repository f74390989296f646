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
 * Lifeline's configuration, parsed and checked once at start-up, as one record per concern ({@link Setting.Group}):
 * {@link #server()}, {@link #authorization()}, {@link #hub()}, {@link #departures()}, {@link #cluster()} and
 * {@link #operations()}. A bad value stops start-up with a {@link ConfigException} that names the setting; nothing
 * is silently replaced by a default.
 *
 * <p>{@link #load} reads each concern's settings, each checked on its own ({@link Values}), then checks in one step
 * what spans settings (a trusted issuer needs a resource, Redis needs a history, the TCP user timeout is at least the
 * dispatch timeout, the keys fit the dialects), naming the setting and where its value came from, and gathers the
 * warnings start-up prints.</p>
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

    /** The issuer of the development mode's Mercure 1.0 access tokens, signed with its generated key (HS256). */
    public static final String DEVELOPMENT_ISSUER = "urn:lifeline:development";

    /** The address development mode listens on unless {@code LIFELINE_HOST} names another. */
    public static final String DEVELOPMENT_HOST = "127.0.0.1";

    /**
     * The embedded program's listener ({@link Setting.Group#SERVER}); a WAR's container has its own.
     *
     * @param host          the address to bind, or null for every interface
     * @param tlsKeystore   the keystore of HTTPS, or null for plain HTTP
     * @param headerTimeout longest a connection may take to send a request's headers
     * @param warmup        longest the warm-up at start-up runs ({@link Setting#WARMUP}); zero for none
     */
    public record Server(int port, String host, boolean http2, Path tlsKeystore, String tlsKeystorePassword,
                         Duration headerTimeout, int maxConnections, Duration warmup) {
    }

    /**
     * Who may publish and subscribe ({@link Setting.Group#AUTHORIZATION}).
     *
     * @param publisherKey   the key of draft-07 publisher tokens, or null when no draft-07 key is configured
     * @param subscriberKey  the key of draft-07 subscriber tokens, or null exactly when {@code publisherKey} is
     * @param resource       the identifier a Mercure 1.0 access token's {@code aud} must contain, or empty when none
     *                       is configured
     * @param issuers        the issuers whose Mercure 1.0 access tokens are trusted, each with the source of its keys
     * @param algorithms     the signature algorithms a Mercure 1.0 access token may use
     * @param corsOrigins    origins whose pages may use the hub from a browser; {@code *} for any (never with
     *                       credentials)
     * @param publishOrigins origins, besides the hub's own, allowed to publish with the cookie
     */
    public record Authorization(JwtKey publisherKey, JwtKey subscriberKey, boolean anonymous, String resource,
                                List<TrustedIssuer> issuers, Set<JWSAlgorithm> algorithms, String cookieName,
                                List<String> corsOrigins, List<String> publishOrigins) {

        /**
         * Whether any key was configured, draft-07 keys or Mercure 1.0 trusted issuers; without one only the
         * embedded program's development mode can start.
         */
        public boolean hasKeys() {
            return publisherKey != null || !issuers.isEmpty();
        }

        /** Whether draft-07 tokens have keys ({@code LIFELINE_JWT_KEY} and its per-role variants). */
        public boolean hasDraft07Keys() {
            return publisherKey != null;
        }
    }

    /**
     * What the hub keeps and admits ({@link Setting.Group#HUB}).
     *
     * @param dialects                 the generations of the protocol subscriptions may speak: {@link #DRAFT_07},
     *                                 {@link #MERCURE_1_0}
     * @param cursorEvent              whether every stream gets an id-only cursor block before its first update
     * @param drain                    how long a shutdown spreads the ends of its subscribers over; zero ends them
     *                                 all at once
     * @param bodyTimeout              longest a publish request's body may take to arrive
     * @param maxSubscribers           subscribers held at most; zero for no limit
     * @param maxSubscribersPerAddress subscribers one client address (one /64 for IPv6) may hold; zero for no limit
     * @param trustedProxies           proxies whose forwarding headers name the client's address
     */
    public record Hub(int historySize, long historyBytes, boolean subscriptionEvents, Set<String> dialects,
                      boolean cursorEvent, Duration drain, long maxUpdateBytes, Duration bodyTimeout,
                      int maxSubscribers, int maxSubscribersPerAddress, List<AddressRange> trustedProxies) {

        /** Whether subscriptions may speak this generation of the protocol: {@link #DRAFT_07} or {@link #MERCURE_1_0}.
         */
        public boolean speaks(String dialect) {
            return dialects.contains(dialect);
        }
    }

    /**
     * How a subscriber's departure is noticed and bounded ({@link Setting.Group#DEPARTURES}).
     *
     * @param heartbeat       interval of the SSE comment written to an idle stream
     * @param dispatchTimeout a write unfinished for this long ends its subscriber {@code write-stalled}
     * @param queueBytes      bytes that may wait for one subscriber
     * @param unsentBytes     bytes of a subscriber's stream the kernel may hold unsent ({@link Setting#UNSENT_BYTES});
     *                        0 for no bound
     * @param maxLifetime     the longest a subscriber stays connected as configured, or empty for {@code auto}: see
     *                        {@link #maxLifetime(boolean)}
     * @param tcpUserTimeout  the TCP user timeout as configured, or empty for {@code auto}: see
     *                        {@link #tcpUserTimeout(boolean)}
     */
    public record Departures(WatchMode watchMode, Duration heartbeat, Duration dispatchTimeout, long queueBytes,
                             long unsentBytes, Optional<Duration> maxLifetime, Optional<Duration> tcpUserTimeout) {

        /**
         * The longest a subscriber stays connected, before the jitter that shortens it by up to a fifth; zero for
         * unbounded.
         *
         * @param watched whether a departure watch guards the subscriber
         */
        public Duration maxLifetime(boolean watched) {
            return maxLifetime.orElse(watched ? DEFAULT_WATCHED_LIFETIME : DEFAULT_UNWATCHED_LIFETIME);
        }

        /**
         * The TCP user timeout to set on every subscriber's connection; zero for none.
         *
         * @param embedded whether this is the embedded program, where {@code auto} turns it on: it can reach the
         *                 connections' descriptors by itself, which a WAR can only with a JVM flag the operator adds
         */
        public Duration tcpUserTimeout(boolean embedded) {
            if (tcpUserTimeout.isPresent()) {
                return tcpUserTimeout.get();
            }
            if (!embedded) {
                return Duration.ZERO;
            }
            return dispatchTimeout.compareTo(DEFAULT_TCP_USER_TIMEOUT) > 0 ? dispatchTimeout
                    : DEFAULT_TCP_USER_TIMEOUT;
        }
    }

    /**
     * Where the order of updates and the history live ({@link Setting.Group#CLUSTER}).
     *
     * @param redis        the Redis URI of the cluster this hub is a node of, or null for the in-memory transport
     * @param redisTimeout longest one Redis command may take
     * @param nodeName     this node's name in a cluster, or null for one made up at start-up (host name and a
     *                     random suffix)
     * @param nodeTimeout  how long a node of a cluster may stay silent in Redis before it is taken for gone
     */
    public record Cluster(String redis, Duration redisTimeout, String nodeName, Duration nodeTimeout) {

        /** The transport as logs and messages show it: a Redis URI without its password. */
        public String shownTransport() {
            return redis == null ? "memory" : redis.replaceFirst("//[^@/?#]*@", "//***@");
        }
    }

    /**
     * What an operator reaches besides the hub ({@link Setting.Group#OPERATIONS}).
     *
     * @param metricsToken the bearer token {@code /metrics} asks for, or null when it answers anyone
     * @param demo         whether the live page offers the F5 demonstration
     */
    public record Operations(String metricsToken, boolean demo) {
    }

    private final Server server;
    private final Authorization authorization;
    private final Hub hub;
    private final Departures departures;
    private final Cluster cluster;
    private final Operations operations;
    private final boolean developmentMode;
    private final List<String> warnings;

    private Settings(Server server, Authorization authorization, Hub hub, Departures departures, Cluster cluster,
                     Operations operations, boolean developmentMode, List<String> warnings) {
        this.server = server;
        this.authorization = authorization;
        this.hub = hub;
        this.departures = departures;
        this.cluster = cluster;
        this.operations = operations;
        this.developmentMode = developmentMode;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Reads every setting from {@code sources}, each concern in turn, then checks what spans settings.
     *
     * @throws ConfigException naming the setting, and where its value came from, of the first bad value
     */
    public static Settings load(ConfigSources sources) {
        Server server = server(sources);
        Authorization authorization = authorization(sources);
        Hub hub = hub(sources);
        Departures departures = departures(sources);
        Cluster cluster = cluster(sources);
        Operations operations = operations(sources);
        List<String> warnings = check(sources, authorization, hub, departures, cluster, operations);
        return new Settings(server, authorization, hub, departures, cluster, operations, false, warnings);
    }

    /** The standard sources of a web app, plus flags (empty in a WAR). */
    public static Settings load(Map<Setting, String> flags, Function<String, String> initParams) {
        return load(ConfigSources.of(flags, System.getProperties(), System.getenv(), initParams));
    }

    /** Test and embedding convenience: settings from the given values only, everything else at its default. */
    public static Settings of(Map<Setting, String> values) {
        return load(ConfigSources.of(values, new Properties(), Map.of(), name -> null));
    }

    private static Server server(ConfigSources sources) {
        ConfigSources.Value keystore = value(sources, Setting.TLS_KEYSTORE);
        ConfigSources.Value keystorePassword = value(sources, Setting.TLS_KEYSTORE_PASSWORD);
        Path tlsKeystore = Values.readableFileOrNone(keystore);
        if (tlsKeystore != null) {
            Values.checkKeystore(tlsKeystore, keystore, keystorePassword);
        }
        String host = value(sources, Setting.HOST).raw().trim();
        ConfigSources.Value maxConnections = value(sources, Setting.MAX_CONNECTIONS);
        return new Server(Values.port(value(sources, Setting.PORT)), host.isEmpty() ? null : host,
                Values.bool(value(sources, Setting.HTTP2)), tlsKeystore, keystorePassword.raw(),
                Values.duration(value(sources, Setting.HEADER_TIMEOUT)),
                isAuto(maxConnections) ? (int) Math.max(100, Math.min(Integer.MAX_VALUE, openFilesLimit() - 100))
                        : Values.positiveCount(maxConnections, "or auto"),
                Values.durationOrZero(value(sources, Setting.WARMUP)));
    }

    private static Authorization authorization(ConfigSources sources) {
        Set<JWSAlgorithm> algorithms = Values.algorithms(value(sources, Setting.ALGORITHMS));
        List<String> corsOrigins = Values.origins(value(sources, Setting.CORS_ORIGINS));
        // Inherited from the CORS list, "*" is dropped: any origin may read public updates, none may publish with
        // a visitor's cookie unless named.
        List<String> publishOrigins = sources.get(Setting.PUBLISH_ORIGINS).map(Values::origins)
                .orElse(corsOrigins.stream().filter(o -> !o.equals("*")).toList());
        return new Authorization(
                key(sources, Setting.PUBLISHER_JWT_KEY, Setting.PUBLISHER_JWT_ALGORITHM).orElse(null),
                key(sources, Setting.SUBSCRIBER_JWT_KEY, Setting.SUBSCRIBER_JWT_ALGORITHM).orElse(null),
                Values.bool(value(sources, Setting.ANONYMOUS)), value(sources, Setting.RESOURCE).raw().trim(),
                TrustedIssuer.parse(value(sources, Setting.ISSUERS), algorithms), algorithms,
                Values.cookieName(value(sources, Setting.COOKIE_NAME)), corsOrigins, publishOrigins);
    }

    private static Hub hub(ConfigSources sources) {
        ConfigSources.Value maxSubscribers = value(sources, Setting.MAX_SUBSCRIBERS);
        return new Hub(Values.count(value(sources, Setting.HISTORY_SIZE)),
                Values.size(value(sources, Setting.HISTORY_BYTES)),
                Values.bool(value(sources, Setting.SUBSCRIPTION_EVENTS)),
                Values.dialects(value(sources, Setting.DIALECTS)), Values.bool(value(sources, Setting.CURSOR_EVENT)),
                Values.durationOrZero(value(sources, Setting.DRAIN)), Values.size(value(sources,
                Setting.MAX_UPDATE_BYTES)), Values.duration(value(sources, Setting.BODY_TIMEOUT)),
                isAuto(maxSubscribers) ? (int) Math.max(10, Math.min(Integer.MAX_VALUE, openFilesLimit() * 9 / 10))
                        : Values.count(maxSubscribers),
                Values.count(value(sources, Setting.MAX_SUBSCRIBERS_PER_ADDRESS)),
                Values.addressRanges(value(sources, Setting.TRUSTED_PROXIES)));
    }

    private static Departures departures(ConfigSources sources) {
        ConfigSources.Value lifetime = value(sources, Setting.MAX_LIFETIME);
        ConfigSources.Value userTimeout = value(sources, Setting.TCP_USER_TIMEOUT);
        return new Departures(watchMode(value(sources, Setting.WATCH)),
                Values.duration(value(sources, Setting.HEARTBEAT)),
                Values.duration(value(sources, Setting.DISPATCH_TIMEOUT)),
                Values.size(value(sources, Setting.QUEUE_BYTES)),
                Values.socketBytesOrZero(value(sources, Setting.UNSENT_BYTES), 4096),
                isAuto(lifetime) ? Optional.empty() : Optional.of(Values.durationOrZero(lifetime)),
                isAuto(userTimeout) ? Optional.empty() : Optional.of(Values.durationOrZero(userTimeout)));
    }

    private static Cluster cluster(ConfigSources sources) {
        ConfigSources.Value nodeName = value(sources, Setting.NODE_NAME);
        return new Cluster(Values.transport(value(sources, Setting.TRANSPORT)),
                Values.duration(value(sources, Setting.REDIS_TIMEOUT)),
                isAuto(nodeName) ? null : Values.nodeName(nodeName),
                Values.duration(value(sources, Setting.NODE_TIMEOUT)));
    }

    private static Operations operations(ConfigSources sources) {
        return new Operations(Values.bearerTokenOrNone(value(sources, Setting.METRICS_TOKEN)),
                Values.bool(value(sources, Setting.DEMO)));
    }

    /**
     * The one step that checks what spans settings, each valid on its own: it throws for a combination that cannot
     * work, naming the settings and where the value came from, and returns what start-up should warn of.
     */
    private static List<String> check(ConfigSources sources, Authorization authorization, Hub hub,
                                      Departures departures, Cluster cluster, Operations operations) {
        if (!authorization.issuers().isEmpty() && authorization.resource().isEmpty()) {
            throw new ConfigException(Setting.ISSUERS.envName() + " names trusted issuers but "
                    + Setting.RESOURCE.envName() + " is empty: a Mercure 1.0 access token must name the hub in its aud "
                    + "(RFC 9068, section 4); set it to the hub's URL, e.g. "
                    + "https://hub.example.com/.well-known/mercure");
        }
        if (cluster.redis() != null && hub.historySize() == 0) {
            throw new ConfigException(Setting.HISTORY_SIZE.envName() + " = 0 cannot go with a Redis transport ("
                    + value(sources, Setting.TRANSPORT).origin() + "): the stream in Redis is both the history and "
                    + "the way updates reach the other nodes, so it keeps at least one update");
        }
        Duration userTimeout = departures.tcpUserTimeout().orElse(Duration.ZERO);
        if (!userTimeout.isZero() && userTimeout.compareTo(departures.dispatchTimeout()) < 0) {
            throw Values.bad(value(sources, Setting.TCP_USER_TIMEOUT), "is shorter than "
                    + Setting.DISPATCH_TIMEOUT.envName() + " (" + departures.dispatchTimeout().toMillis() + "ms): the "
                    + "kernel would abort the connection of a reader that is only slow before Lifeline ends it "
                    + "write-stalled; use at least that, or 0s for none");
        }
        JwtKey publisherKey = authorization.publisherKey();
        JwtKey subscriberKey = authorization.subscriberKey();
        if ((publisherKey == null) != (subscriberKey == null)) {
            Setting missing = publisherKey != null ? Setting.SUBSCRIBER_JWT_KEY : Setting.PUBLISHER_JWT_KEY;
            throw new ConfigException("no key for " + (publisherKey != null ? "subscriber" : "publisher")
                    + " tokens: set " + missing.envName() + " or " + Setting.JWT_KEY.envName());
        }
        if (publisherKey == null && !authorization.issuers().isEmpty() && !hub.speaks(MERCURE_1_0)) {
            throw new ConfigException(Setting.DIALECTS.envName() + " leaves out " + MERCURE_1_0 + ", and the only keys "
                    + "are " + Setting.ISSUERS.envName() + " (Mercure 1.0): no token could ever be accepted; set "
                    + Setting.JWT_KEY.envName() + " or speak " + MERCURE_1_0);
        }
        if (publisherKey != null && authorization.issuers().isEmpty() && !hub.speaks(DRAFT_07)) {
            throw new ConfigException(Setting.DIALECTS.envName() + " leaves out " + DRAFT_07 + ", and the only key is "
                    + Setting.JWT_KEY.envName() + " (draft-07): no token could ever be accepted; set "
                    + Setting.ISSUERS.envName() + " and " + Setting.RESOURCE.envName() + " or speak " + DRAFT_07);
        }

        List<String> warnings = new ArrayList<>();
        for (TrustedIssuer issuer : authorization.issuers()) {
            if (issuer.jwksUri() != null && issuer.jwksUri().getScheme().equalsIgnoreCase("http")
                    && !isLoopback(issuer.jwksUri().getHost())) {
                warnings.add("the keys of issuer '" + issuer.issuer() + "' are fetched over plain http ("
                        + issuer.jwksUri() + "): whoever sits on the path can substitute them");
            }
        }
        if (operations.metricsToken() != null && operations.metricsToken().length() < 16) {
            warnings.add(Setting.METRICS_TOKEN.envName() + " is shorter than 16 characters: anyone who can try "
                    + "tokens against /metrics may guess it");
        }
        for (String unknown : sources.unknownNames()) {
            warnings.add(unknown + " is not a Lifeline setting and is ignored");
        }
        warnIfShort(warnings, "publisher", publisherKey);
        if (subscriberKey != null && !subscriberKey.equals(publisherKey)) {
            warnIfShort(warnings, "subscriber", subscriberKey);
        }
        if (authorization.publishOrigins().contains("*")) {
            warnings.add(Setting.PUBLISH_ORIGINS.envName() + " allows any origin to publish with a visitor's "
                    + "cookie: the protocol's CSRF protection is off");
        }
        if (authorization.corsOrigins().contains("*")) {
            warnings.add(Setting.CORS_ORIGINS.envName() + " allows any origin: such pages may read public "
                    + "updates, though never with the browser's cookies");
        }
        return warnings;
    }

    /**
     * The embedded program's development mode: no key was configured, so this run gets a generated one and lets
     * subscribers in without a token. It listens on loopback only unless a host was set: the tokens it prints may
     * publish and subscribe to everything. The same key signs draft-07 tokens and, as {@link #DEVELOPMENT_ISSUER}
     * with HS256, Mercure 1.0 access tokens for the resource {@code http://localhost:<port>/.well-known/mercure}
     * unless {@code LIFELINE_RESOURCE} names another.
     */
    public Settings withDevelopmentKey(String generatedKey) {
        Authorization a = authorization;
        JwtKey key = new JwtKey(JwtKey.Algorithm.HS256, generatedKey, null);
        List<TrustedIssuer> issuers = a.issuers();
        Set<JWSAlgorithm> algorithms = a.algorithms();
        if (issuers.isEmpty()) {
            issuers = List.of(new TrustedIssuer(DEVELOPMENT_ISSUER, new JWKSet(new OctetSequenceKey.Builder(
                    generatedKey.getBytes(StandardCharsets.UTF_8)).algorithm(JWSAlgorithm.HS256).build()), null,
                    false));
            Set<JWSAlgorithm> withHmac = new LinkedHashSet<>(algorithms);
            withHmac.add(JWSAlgorithm.HS256);
            algorithms = Collections.unmodifiableSet(withHmac);
        }
        String resource = a.resource().isEmpty() ? developmentResource(server.port()) : a.resource();
        Server s = server;
        return new Settings(new Server(s.port(), s.host() == null ? DEVELOPMENT_HOST : s.host(), s.http2(),
                s.tlsKeystore(), s.tlsKeystorePassword(), s.headerTimeout(), s.maxConnections(), s.warmup()),
                new Authorization(key, key, true, resource, issuers, algorithms, a.cookieName(), a.corsOrigins(),
                        a.publishOrigins()), hub, departures, cluster, operations, true, warnings);
    }

    /**
     * These settings once the embedded program's port is bound: where development mode derived the resource
     * identifier from port 0 ({@link #withDevelopmentKey}), it names the bound port instead; otherwise unchanged.
     */
    public Settings withBoundPort(int bound) {
        Authorization a = authorization;
        if (!developmentMode || server.port() != 0 || !a.resource().equals(developmentResource(0))) {
            return this;
        }
        Server s = server;
        return new Settings(new Server(bound, s.host(), s.http2(), s.tlsKeystore(), s.tlsKeystorePassword(),
                s.headerTimeout(), s.maxConnections(), s.warmup()),
                new Authorization(a.publisherKey(), a.subscriberKey(), a.anonymous(), developmentResource(bound),
                        a.issuers(), a.algorithms(), a.cookieName(), a.corsOrigins(), a.publishOrigins()),
                hub, departures, cluster, operations, developmentMode, warnings);
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

    private static void warnIfShort(List<String> warnings, String role, JwtKey key) {
        if (key != null && key.secretLength() < RECOMMENDED_KEY_BYTES) {
            warnings.add("the HS256 key for " + role + " tokens is shorter than 256 bits (" + key.secretLength()
                    + " bytes): anyone who can try keys offline may guess it; use at least " + RECOMMENDED_KEY_BYTES
                    + " random bytes");
        }
    }

    /** The embedded program's listener. */
    public Server server() {
        return server;
    }

    /** Who may publish and subscribe. */
    public Authorization authorization() {
        return authorization;
    }

    /** What the hub keeps and admits. */
    public Hub hub() {
        return hub;
    }

    /** How departures are noticed and bounded. */
    public Departures departures() {
        return departures;
    }

    /** Where the order of updates and the history live. */
    public Cluster cluster() {
        return cluster;
    }

    /** What an operator reaches besides the hub. */
    public Operations operations() {
        return operations;
    }

    /** @throws ConfigException when neither draft-07 keys nor Mercure 1.0 issuers are configured */
    public void requireKeys() {
        if (!authorization.hasKeys()) {
            throw new ConfigException("no key is configured: set " + Setting.JWT_KEY.envName() + " for draft-07 "
                    + "tokens, or " + Setting.ISSUERS.envName() + " and " + Setting.RESOURCE.envName()
                    + " for Mercure 1.0 access tokens, or both");
        }
    }

    /** The key of draft-07 publisher tokens. @throws ConfigException when no draft-07 key is configured */
    public JwtKey publisherKey() {
        return requireKey(authorization.publisherKey());
    }

    /** The key of draft-07 subscriber tokens. @throws ConfigException when no draft-07 key is configured */
    public JwtKey subscriberKey() {
        return requireKey(authorization.subscriberKey());
    }

    private static JwtKey requireKey(JwtKey key) {
        if (key == null) {
            throw new ConfigException("no JWT key is configured: set " + Setting.JWT_KEY.envName() + " (or "
                    + Setting.PUBLISHER_JWT_KEY.envName() + " and " + Setting.SUBSCRIBER_JWT_KEY.envName() + ")");
        }
        return key;
    }

    /** Whether this is the embedded program's development mode ({@link #withDevelopmentKey}). */
    public boolean developmentMode() {
        return developmentMode;
    }

    /** Things start-up should say out loud, such as a short key. */
    public List<String> warnings() {
        return warnings;
    }

    /** One line for the start-up log; keys are never printed. */
    public String describe() {
        Authorization a = authorization;
        Departures d = departures;
        JwtKey publisherKey = a.publisherKey();
        Duration maxLifetime = d.maxLifetime().orElse(null);
        return "heartbeat=" + d.heartbeat().toMillis() + "ms dispatchTimeout=" + d.dispatchTimeout().toMillis()
                + "ms queueBytes=" + d.queueBytes() + " unsentBytes=" + d.unsentBytes() + " maxUpdateBytes="
                + hub.maxUpdateBytes() + " history=" + hub.historySize() + "/" + hub.historyBytes() + "B transport="
                + cluster.shownTransport() + " drain=" + hub.drain().toMillis() + "ms anonymous=" + a.anonymous()
                + " subscriptionEvents=" + hub.subscriptionEvents() + " dialects=" + String.join(",", hub.dialects())
                + " demo=" + operations.demo() + (hub.cursorEvent() ? "" : " cursorEvent=false") + " corsOrigins="
                + a.corsOrigins() + " metricsToken=" + (operations.metricsToken() == null ? "none" : "set")
                + " bodyTimeout=" + hub.bodyTimeout().toMillis() + "ms headerTimeout="
                + server.headerTimeout().toMillis() + "ms maxConnections=" + server.maxConnections()
                + " maxSubscribers=" + hub.maxSubscribers() + " maxSubscribersPerAddress="
                + hub.maxSubscribersPerAddress() + " trustedProxies=" + hub.trustedProxies()
                + " watch=" + d.watchMode().name().toLowerCase(Locale.ROOT) + " maxLifetime=" + (maxLifetime != null
                ? maxLifetime.toSeconds() + "s" : "auto (" + DEFAULT_WATCHED_LIFETIME.toSeconds() + "s, unwatched "
                + DEFAULT_UNWATCHED_LIFETIME.toSeconds() + "s)")
                + " keys=" + (publisherKey == null ? "none" : publisherKey + "/" + a.subscriberKey()
                + (publisherKey.equals(a.subscriberKey()) ? " (shared)" : " (separate)"))
                + (hub.speaks(MERCURE_1_0) ? " resource=" + (a.resource().isEmpty() ? "none" : a.resource())
                + " issuers=" + a.issuers() + " algorithms=" + TrustedIssuer.names(a.algorithms()) : "");
    }
}
