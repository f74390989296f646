package io.lifeline.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Lifeline's configuration, parsed and checked once at start-up. A bad value stops start-up with a
 * {@link ConfigException} that names the setting; nothing is silently replaced by a default.
 */
public final class Settings {

    /** Where departures are watched for. */
    public enum WatchMode { AUTO, NONE }

    /** HS256 keys below this many bytes are accepted, with a warning. */
    public static final int RECOMMENDED_KEY_BYTES = 32;

    private final int port;
    private final String host;
    private final String publisherKey;
    private final String subscriberKey;
    private final boolean anonymous;
    private final Duration heartbeat;
    private final Duration dispatchTimeout;
    private final long queueBytes;
    private final long maxUpdateBytes;
    private final WatchMode watchMode;
    private final boolean developmentMode;
    private final List<String> warnings;

    private Settings(Builder b) {
        this.port = b.port;
        this.host = b.host;
        this.publisherKey = b.publisherKey;
        this.subscriberKey = b.subscriberKey;
        this.anonymous = b.anonymous;
        this.heartbeat = b.heartbeat;
        this.dispatchTimeout = b.dispatchTimeout;
        this.queueBytes = b.queueBytes;
        this.maxUpdateBytes = b.maxUpdateBytes;
        this.watchMode = b.watchMode;
        this.developmentMode = b.developmentMode;
        this.warnings = List.copyOf(b.warnings);
    }

    public static Settings load(ConfigSources sources) {
        Builder b = new Builder();
        b.port = Values.port(value(sources, Setting.PORT));
        b.host = value(sources, Setting.HOST).raw().trim();
        b.anonymous = Values.bool(value(sources, Setting.ANONYMOUS));
        b.heartbeat = Values.duration(value(sources, Setting.HEARTBEAT));
        b.dispatchTimeout = Values.duration(value(sources, Setting.DISPATCH_TIMEOUT));
        b.queueBytes = Values.size(value(sources, Setting.QUEUE_BYTES));
        b.maxUpdateBytes = Values.size(value(sources, Setting.MAX_UPDATE_BYTES));
        b.watchMode = watchMode(value(sources, Setting.WATCH));

        Optional<String> shared = key(sources, Setting.JWT_KEY);
        Optional<String> publisher = key(sources, Setting.PUBLISHER_JWT_KEY).or(() -> shared);
        Optional<String> subscriber = key(sources, Setting.SUBSCRIBER_JWT_KEY).or(() -> shared);
        if (publisher.isPresent() != subscriber.isPresent()) {
            Setting missing = publisher.isPresent() ? Setting.SUBSCRIBER_JWT_KEY : Setting.PUBLISHER_JWT_KEY;
            throw new ConfigException("no key for " + (publisher.isPresent() ? "subscriber" : "publisher")
                    + " tokens: set " + missing.envName() + " or " + Setting.JWT_KEY.envName());
        }
        b.publisherKey = publisher.orElse(null);
        b.subscriberKey = subscriber.orElse(null);
        for (String unknown : sources.unknownNames()) {
            b.warnings.add(unknown + " is not a Lifeline setting and is ignored");
        }
        warnIfShort(b, "publisher", b.publisherKey);
        if (b.subscriberKey != null && !b.subscriberKey.equals(b.publisherKey)) {
            warnIfShort(b, "subscriber", b.subscriberKey);
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

    /**
     * The embedded program's development mode: no key was configured, so this run gets a generated one and lets
     * subscribers in without a token.
     */
    public Settings withDevelopmentKey(String generatedKey) {
        Builder b = new Builder(this);
        b.publisherKey = generatedKey;
        b.subscriberKey = generatedKey;
        b.anonymous = true;
        b.developmentMode = true;
        return new Settings(b);
    }

    private static ConfigSources.Value value(ConfigSources sources, Setting setting) {
        return sources.get(setting)
                .orElse(new ConfigSources.Value(setting.defaultValue(), "default of " + setting.envName()));
    }

    private static Optional<String> key(ConfigSources sources, Setting setting) {
        return sources.get(setting).map(Values::nonEmpty);
    }

    private static WatchMode watchMode(ConfigSources.Value v) {
        try {
            return WatchMode.valueOf(v.raw().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Values.bad(v, "must be auto or none");
        }
    }

    private static void warnIfShort(Builder b, String role, String key) {
        if (key != null && key.getBytes(StandardCharsets.UTF_8).length < RECOMMENDED_KEY_BYTES) {
            b.warnings.add("the HS256 key for " + role + " tokens is shorter than 256 bits ("
                    + key.getBytes(StandardCharsets.UTF_8).length + " bytes): anyone who can try keys offline may "
                    + "guess it; use at least " + RECOMMENDED_KEY_BYTES + " random bytes");
        }
    }

    public int port() {
        return port;
    }

    /** The address to bind, or null for every interface. */
    public String host() {
        return host.isEmpty() ? null : host;
    }

    /** Whether any key was configured; without one only the embedded program's development mode can start. */
    public boolean hasKeys() {
        return publisherKey != null;
    }

    public String publisherKey() {
        return requireKey(publisherKey);
    }

    public String subscriberKey() {
        return requireKey(subscriberKey);
    }

    private static String requireKey(String key) {
        if (key == null) {
            throw new ConfigException("no JWT key is configured: set " + Setting.JWT_KEY.envName() + " (or "
                    + Setting.PUBLISHER_JWT_KEY.envName() + " and " + Setting.SUBSCRIBER_JWT_KEY.envName() + ")");
        }
        return key;
    }

    public boolean anonymous() {
        return anonymous;
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

    public long maxUpdateBytes() {
        return maxUpdateBytes;
    }

    public WatchMode watchMode() {
        return watchMode;
    }

    public boolean developmentMode() {
        return developmentMode;
    }

    /** Things start-up should say out loud, such as a short key. */
    public List<String> warnings() {
        return warnings;
    }

    /** One line for the start-up log; keys are never printed. */
    public String describe() {
        return "heartbeat=" + heartbeat.toMillis() + "ms dispatchTimeout=" + dispatchTimeout.toMillis()
                + "ms queueBytes=" + queueBytes + " maxUpdateBytes=" + maxUpdateBytes + " anonymous=" + anonymous
                + " watch=" + watchMode.name().toLowerCase(Locale.ROOT)
                + " separateKeys=" + (publisherKey != null && !publisherKey.equals(subscriberKey));
    }

    private static final class Builder {
        int port;
        String host;
        String publisherKey;
        String subscriberKey;
        boolean anonymous;
        Duration heartbeat;
        Duration dispatchTimeout;
        long queueBytes;
        long maxUpdateBytes;
        WatchMode watchMode;
        boolean developmentMode;
        final List<String> warnings = new ArrayList<>();

        Builder() {
        }

        Builder(Settings s) {
            port = s.port;
            host = s.host;
            publisherKey = s.publisherKey;
            subscriberKey = s.subscriberKey;
            anonymous = s.anonymous;
            heartbeat = s.heartbeat;
            dispatchTimeout = s.dispatchTimeout;
            queueBytes = s.queueBytes;
            maxUpdateBytes = s.maxUpdateBytes;
            watchMode = s.watchMode;
            developmentMode = s.developmentMode;
            warnings.addAll(s.warnings);
        }
    }
}
