package io.lifeline.cluster;

/** Redis did not answer: unreachable, timed out, or refused the command. The message says which, for a person. */
public final class RedisUnavailableException extends RuntimeException {

    RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
