package io.lifeline.watch.jetty;

import io.lifeline.tcp.SocketError;
import io.lifeline.tcp.TcpSockets;
import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.DepartureWatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read interest on one Jetty end point, reporting the end of the client's input.
 *
 * <p>When Jetty says the end point is readable, the watch first asks the kernel for the socket's pending error:
 * Jetty's {@code fill()} turns every read error into -1, so only this tells a connection the kernel gave up on
 * ({@code ETIMEDOUT}, the TCP user timeout) or an RST ({@code ECONNRESET}) from a FIN. Then {@code fill()} tells what
 * arrived: -1 is the end of input (a FIN, or an RST, which Jetty also turns into -1; over TLS, also a close_notify),
 * a FIN for certain where the connection is then in {@code CLOSE-WAIT}; bytes are stray client
 * bytes, discarded, and the interest is registered again. The interest is failed, not succeeded, when this watch
 * cancels it, when the connection idles out, or when the end point closes: the first two are not departures (an idle
 * timeout re-arms), the last is. An error that is neither a reset nor a timeout counts as the end of input.</p>
 *
 * <p>Arming and cancelling hold this watch's lock, so a cancel can never slip between a fill and the re-arm that
 * follows it and leave an interest behind. Cancel must run before the response completes: a leftover interest would
 * make Jetty's own read fail, aborting the connection.</p>
 *
 * <p>While the watch is armed, the end point's idle timeout is off. Jetty keeps one scheduled task per end point for
 * its idle timeout, one per subscriber in the scheduler's queue (about 330 bytes of heap each, measured with 19,500
 * subscribers, and a queue every new connection's header deadline is sifted through), and a stream needs none:
 * heartbeats keep it busy, a write the client does not take ends it {@code write-stalled} at the dispatch timeout,
 * and a client that vanished ends it {@code client-timeout} at the TCP user timeout. Cancelling, which comes before
 * the response completes, puts the idle timeout back: after the stream Jetty closes its side of the connection and,
 * as a rule, holds it until the client closes too; only the idle timeout bounds a client that never does.</p>
 */
final class EndPointWatch implements DepartureWatch.Handle, Callback {

    private static final Logger LOG = LoggerFactory.getLogger(EndPointWatch.class);
    private static final int STRAY_BYTES_PER_WAKEUP = 64 * 1024;

    private final AbstractEndPoint endPoint;
    /** The socket under the end point, or null where there is none. */
    private final SocketChannel channel;
    private final TcpSockets tcp;
    private final DepartureListener listener;
    private boolean armed;
    private boolean cancelled;
    /** The end point's idle timeout before the first arm (milliseconds), put back by cancel; -1 while untouched. */
    private long idleTimeout = -1;

    EndPointWatch(AbstractEndPoint endPoint, TcpSockets tcp, DepartureListener listener) {
        this.endPoint = endPoint;
        this.channel = JettySockets.channel(endPoint);
        this.tcp = tcp;
        this.listener = listener;
        if (channel != null) {
            tcp.prepare(channel);
        }
    }

    @Override
    public synchronized void arm() {
        if (cancelled || armed) {
            return;
        }
        if (idleTimeout < 0) {
            idleTimeout = endPoint.getIdleTimeout();
            endPoint.setIdleTimeout(0);
        }
        armed = true; // before registering: the interest may fire on this very thread
        if (!endPoint.tryFillInterested(this)) {
            armed = false;
            LOG.warn("{}: someone else is reading this connection; its departure will be noticed by heartbeats only",
                    endPoint);
        }
    }

    @Override
    public synchronized void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (armed) {
            armed = false;
            endPoint.getFillInterest().onFail(new CancellationException("departure watch cancelled"));
        }
        if (idleTimeout > 0) {
            endPoint.setIdleTimeout(idleTimeout);
        }
    }

    /**
     * A write that failed because the kernel gave up on the connection: which way it gave up, read from the
     * connection while it is open (a client that stopped reading, or one that vanished).
     */
    @Override
    public boolean explain(Throwable failure) {
        return listener.onKernelGaveUp(tcp.ofFailure(failure, channel), System.nanoTime());
    }

    /** An RST: over TLS too, the network end point is closed without a close_notify, which could not go out. */
    @Override
    public void abort() {
        if (channel != null) {
            TcpSockets.abortOnClose(channel);
        }
        JettySockets.network(endPoint).close(new IOException("connection aborted by Lifeline"));
    }

    @Override
    public void succeeded() {
        synchronized (this) {
            armed = false;
            if (cancelled) {
                return;
            }
        }
        if (kernelEnded()) {
            return;
        }
        ByteBuffer buffer = BufferUtil.allocate(512);
        try {
            int stray = 0;
            while (stray < STRAY_BYTES_PER_WAKEUP) {
                int filled = endPoint.fill(buffer);
                if (filled < 0) {
                    inputEnded();
                    return;
                }
                if (filled == 0) {
                    break;
                }
                stray += filled;
                BufferUtil.clear(buffer);
            }
            if (stray > 0 && LOG.isDebugEnabled()) {
                LOG.debug("{}: discarded {} bytes the client sent after its request", endPoint, stray);
            }
            arm();
        } catch (IOException e) {
            listener.onInputEnded(System.nanoTime());
        }
    }

    /**
     * The end of input, told apart. A close_notify is a close. Where the connection's descriptor is reachable, the
     * pending error is asked once more (an RST or a timeout that arrived since the first look), then the TCP state: a
     * connection in {@code CLOSE-WAIT} received a FIN and nothing since, and ends {@code client-closed} without
     * anything more written to the client. Anything else (an RST whose pending error a read or a failed write has
     * taken, or a state that cannot be read) is left to the listener's probe ({@link DepartureListener#onInputEnded}),
     * as everywhere the descriptor is not reachable (not Linux, or a JVM without {@code --add-exports
     * java.base/sun.nio.ch}).
     */
    private void inputEnded() {
        if (closedTls()) {
            listener.onClosed(System.nanoTime());
        } else if (channel != null && tcp.descriptorsReachable()) {
            if (kernelEnded()) {
                return;
            }
            if (tcp.finReceived(channel)) {
                listener.onClosed(System.nanoTime());
            } else {
                listener.onInputEnded(System.nanoTime());
            }
        } else {
            listener.onInputEnded(System.nanoTime());
        }
    }

    /** Whether the kernel ended the connection with an error, reported to the listener if so. */
    private boolean kernelEnded() {
        SocketError error = channel == null ? SocketError.NONE : tcp.takeError(channel);
        switch (error) {
            case TIMED_OUT, STOPPED_READING -> listener.onKernelGaveUp(error, System.nanoTime());
            case RESET -> listener.onReset(System.nanoTime());
            case OTHER -> listener.onInputEnded(System.nanoTime());
            case NONE -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the input ended with TLS's close_notify: the client closed in order, and Jetty, which then closes the
     * connection itself, would make the probe's write fail as if the client had reset it. A FIN or an RST under TLS
     * leaves the TLS session open and reads -1 like plain TCP.
     */
    private boolean closedTls() {
        return endPoint instanceof SslConnection.SslEndPoint tls
                && tls.getSslConnection().getSSLEngine().isInboundDone();
    }

    @Override
    public void failed(Throwable cause) {
        synchronized (this) {
            armed = false;
            if (cancelled || cause instanceof CancellationException) {
                return;
            }
        }
        if (cause instanceof TimeoutException) {
            arm();
        } else {
            listener.onInputEnded(System.nanoTime());
        }
    }
}
