package io.lifeline.config;

import java.util.Locale;

/**
 * Every setting Lifeline reads, with its default and the names it goes by.
 *
 * <p>One setting has four spellings: the environment variable {@code LIFELINE_JWT_KEY}, the system property and
 * servlet context init-param {@code lifeline.jwt.key}, and the command-line flag {@code --jwt-key} of the embedded
 * program. Where several are given, the flag wins, then the system property, then the environment, then the
 * init-param.</p>
 */
public enum Setting {
    PORT("8080", "TCP port of the embedded program; 0 picks any free port"),
    HOST("", "address the embedded program binds; empty means every interface"),
    JWT_KEY(null, "HMAC key (HS256) for publisher and subscriber tokens"),
    PUBLISHER_JWT_KEY(null, "HMAC key for publisher tokens; defaults to LIFELINE_JWT_KEY"),
    SUBSCRIBER_JWT_KEY(null, "HMAC key for subscriber tokens; defaults to LIFELINE_JWT_KEY"),
    ANONYMOUS("false", "true lets subscribers connect without a token"),
    HEARTBEAT("15s", "interval of the SSE comment written to idle subscribers"),
    DISPATCH_TIMEOUT("5s", "longest a write to a subscriber may stay unfinished before it ends write-stalled"),
    QUEUE_BYTES("4MiB", "bytes that may wait for one subscriber before it ends write-stalled"),
    MAX_UPDATE_BYTES("1MiB", "largest publish request body; larger ones get 413"),
    WATCH("auto", "departure watch: auto (the container's hook where one exists) or none (heartbeats only)");

    private final String defaultValue;
    private final String description;

    Setting(String defaultValue, String description) {
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** {@code LIFELINE_JWT_KEY}. */
    public String envName() {
        return "LIFELINE_" + name();
    }

    /** {@code lifeline.jwt.key}: the system property and the servlet context init-param. */
    public String propertyName() {
        return "lifeline." + name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** {@code --jwt-key}. */
    public String flagName() {
        return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The value used when no source gives one, or null when the setting has no default. */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** Whether the value must never be printed. */
    public boolean isSecret() {
        return name().endsWith("KEY");
    }
}
