package io.lifeline.config;

/** Bad configuration: start-up stops with this message, which names the setting. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
