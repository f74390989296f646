package io.lifeline.watch;

import io.lifeline.tcp.SocketError;

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

    /**
     * The kernel gave up on the connection ({@code ETIMEDOUT}) while the client kept its receive window shut and
     * answered every probe of it: the client is there and stopped reading ({@link
     * io.lifeline.tcp.SocketError#STOPPED_READING}). A reader that stops while the hub writes ends at the dispatch
     * timeout; this is the one whose stream was quiet meanwhile, its heartbeats waiting in the kernel.
     */
    void onStoppedReading(long detectedNanos);

    /**
     * Tells this listener of a connection the kernel gave up on, as {@code error} says: {@link #onTimedOut} or
     * {@link #onStoppedReading}. Returns false, telling nothing, for any other error.
     */
    default boolean onKernelGaveUp(SocketError error, long detectedNanos) {
        switch (error) {
            case TIMED_OUT -> onTimedOut(detectedNanos);
            case STOPPED_READING -> onStoppedReading(detectedNanos);
            default -> {
                return false;
            }
        }
        return true;
    }
}
