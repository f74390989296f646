package io.lifeline.tcp;

import java.util.Locale;

/**
 * How the kernel says a TCP connection ended: from the connection's pending error ({@code SO_ERROR}), or from the
 * message of the {@link java.io.IOException} a read or a write failed with, which the JDK takes from
 * {@code strerror}.
 */
public enum SocketError {

    /** No error is pending: the connection is open, or the peer closed it in order (a FIN). */
    NONE,
    /** The peer reset the connection: an RST arrived ({@code ECONNRESET}). */
    RESET,
    /**
     * The kernel gave up on the connection: bytes it sent stayed unacknowledged past the TCP user timeout (RFC 5482)
     * or the retransmission limit ({@code ETIMEDOUT}). When an ICMP error arrived meanwhile, Linux reports that one
     * instead ({@code EHOSTUNREACH}, {@code ENETUNREACH}: RFC 1122, 4.2.3.9, makes them soft errors that never end a
     * connection by themselves), so those count here too.
     */
    TIMED_OUT,
    /**
     * The kernel gave up on the connection ({@code ETIMEDOUT}) while its peer kept its receive window shut and
     * answered every probe of it (RFC 9293, section 3.8.6.1): the peer is there and has stopped reading. Neither an
     * errno nor a message says so; only {@link TcpSockets#timedOut} tells it apart from {@link #TIMED_OUT}.
     */
    STOPPED_READING,
    /** Any other error. */
    OTHER;

    // Linux errno values (asm-generic/errno.h), the same on every architecture Lifeline runs on.
    static final int ECONNRESET = 104;
    static final int ENETUNREACH = 101;
    static final int ETIMEDOUT = 110;
    static final int EHOSTUNREACH = 113;

    static SocketError ofErrno(int errno) {
        return switch (errno) {
            case 0 -> NONE;
            case ECONNRESET -> RESET;
            case ETIMEDOUT, EHOSTUNREACH, ENETUNREACH -> TIMED_OUT;
            default -> OTHER;
        };
    }

    /**
     * The error behind a failed read or write, from the messages along its cause chain: {@link #TIMED_OUT} for
     * "Connection timed out", "No route to host" or "Network is unreachable"; {@link #RESET} for "Connection reset";
     * else {@link #OTHER}. Containers wrap the JDK's exception (Jetty in an {@code EofException}, Tomcat in a
     * {@code ClientAbortException}); the first recognised message wins.
     */
    public static SocketError of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            String m = message.toLowerCase(Locale.ROOT);
            if (m.contains("connection timed out") || m.contains("no route to host")
                    || m.contains("network is unreachable")) {
                return TIMED_OUT;
            }
            if (m.contains("connection reset")) {
                return RESET;
            }
        }
        return OTHER;
    }
}
