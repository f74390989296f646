package io.lifeline.watch;

/** Told by a {@link DepartureWatch} when the client's side of the connection goes away. */
public interface DepartureListener {

    /**
     * The connection's input has ended, and the watch cannot tell a FIN from an RST: Jetty's {@code fill()} returns
     * -1 for both, and neither the kernel's pending error nor the connection's TCP state settled it (or the JVM
     * cannot reach the socket's descriptor to ask). The listener decides by writing a probe: it fails after an RST
     * and succeeds after a FIN.
     *
     * @param detectedNanos {@link System#nanoTime()} when the watch noticed
     */
    void onInputEnded(long detectedNanos);

    /** The client closed the connection in order (a FIN, or TLS's close_notify), and the watch knows it for certain. */
    void onClosed(long detectedNanos);

    /** The client reset the connection (an RST, or an HTTP/2 stream reset), and the watch knows it for certain. */
    void onReset(long detectedNanos);

    /**
     * The kernel gave up on the connection ({@code ETIMEDOUT}): bytes sent to the client stayed unacknowledged past
     * the TCP user timeout, so the client vanished without a FIN or an RST (see {@link io.lifeline.tcp.TcpSockets}).
     */
    void onTimedOut(long detectedNanos);
}
