package io.lifeline.protocol;

/**
 * A request the protocol refuses, with the HTTP status and a reason a person can act on. The reason is sent to the
 * client as the response body, so it never contains a secret.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final long retryAfterSeconds;

    public ProtocolException(int status, String reason) {
        this(status, reason, -1);
    }

    private ProtocolException(int status, String reason, long retryAfterSeconds) {
        super(reason, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 503: the request may be made again after this many seconds ({@code Retry-After}, RFC 9110, 10.2.3). */
    public static ProtocolException unavailable(String reason, long retryAfterSeconds) {
        return new ProtocolException(503, reason, retryAfterSeconds);
    }

    public static ProtocolException badRequest(String reason) {
        return new ProtocolException(400, reason);
    }

    public static ProtocolException unauthorized(String reason) {
        return new ProtocolException(401, reason);
    }

    public static ProtocolException forbidden(String reason) {
        return new ProtocolException(403, reason);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return getMessage();
    }

    /** Seconds after which the request may be made again, or -1 when the refusal is final. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
