package io.lifeline.watch.servlet;

/**
 * Why the client of a watched response left, as the departure watch saw it on the connection.
 *
 * <p>The labels are the hub's own ({@code docs/departures.md}), so that an application's logs and the hub's read
 * alike.</p>
 */
public enum Departure {
    /** The client closed its side in order: a TCP FIN, or TLS's {@code close_notify}. */
    CLIENT_CLOSED("client-closed"),
    /** The client reset the connection: a TCP RST, or an HTTP/2 stream reset. */
    CLIENT_RESET("client-reset"),
    /**
     * The kernel gave up on the connection: bytes sent stayed unacknowledged past the TCP user timeout
     * ({@code TCP_USER_TIMEOUT}, RFC 5482), so the client vanished without a FIN or an RST.
     */
    CLIENT_TIMEOUT("client-timeout"),
    /**
     * The kernel gave up on the connection while the client kept its receive window shut and answered every probe of
     * it: the client is there and stopped reading.
     */
    STOPPED_READING("stopped-reading"),
    /**
     * The connection's input ended and the watch could not tell a FIN from an RST (the JVM could not reach the
     * socket's descriptor to ask the kernel): the client left, one way or the other.
     */
    CLIENT_LEFT("client-left");

    private final String label;

    Departure(String label) {
        this.label = label;
    }

    /** The reason as logs, metrics and the request attribute name it: {@code client-closed}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
