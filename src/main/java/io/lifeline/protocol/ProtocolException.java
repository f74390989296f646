package io.lifeline.protocol;

/**
 * A request the protocol refuses, with the HTTP status and a reason a person can act on. The reason is sent to the
 * client as the response body, so it never contains a secret.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** RFC 6750, section 3.1: the request is malformed in presenting its token. */
    public static final String INVALID_REQUEST = "invalid_request";
    /** RFC 6750, section 3.1: the token is expired, revoked, malformed or invalid for another reason. */
    public static final String INVALID_TOKEN = "invalid_token";
    /** RFC 6750, section 3.1: the token is valid but does not grant what the request asks for. */
    public static final String INSUFFICIENT_SCOPE = "insufficient_scope";

    private final int status;
    private final long retryAfterSeconds;
    private final String bearerError;

    public ProtocolException(int status, String reason) {
        this(status, reason, -1, null);
    }

    private ProtocolException(int status, String reason, long retryAfterSeconds, String bearerError) {
        super(reason, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
        this.bearerError = bearerError;
    }

    /** 401 with {@code error="invalid_token"} in the {@code WWW-Authenticate: Bearer} challenge (RFC 6750, 3.1). */
    public static ProtocolException invalidToken(String reason) {
        return new ProtocolException(401, reason, -1, INVALID_TOKEN);
    }

    /**
     * 403 with {@code error="insufficient_scope"} in the {@code WWW-Authenticate: Bearer} challenge (RFC 6750, 3.1).
     */
    public static ProtocolException insufficientScope(String reason) {
        return new ProtocolException(403, reason, -1, INSUFFICIENT_SCOPE);
    }

    /** 400 with {@code error="invalid_request"} in the {@code WWW-Authenticate: Bearer} challenge (RFC 6750, 3.1). */
    public static ProtocolException invalidRequest(String reason) {
        return new ProtocolException(400, reason, -1, INVALID_REQUEST);
    }

    /** 503: the request may be made again after this many seconds ({@code Retry-After}, RFC 9110, 10.2.3). */
    public static ProtocolException unavailable(String reason, long retryAfterSeconds) {
        return new ProtocolException(503, reason, retryAfterSeconds, null);
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

    /** The RFC 6750 error code of a refused token or its presentation, or null for none. */
    public String bearerError() {
        return bearerError;
    }
}
