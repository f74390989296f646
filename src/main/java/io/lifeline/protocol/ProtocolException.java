package io.lifeline.protocol;

/**
 * A request the protocol refuses, with the HTTP status and a reason a person can act on. The reason is sent to the
 * client as the response body, so it never contains a secret.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ProtocolException(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
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
}
