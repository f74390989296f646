package io.lifeline.watch.jetty;

import io.lifeline.tcp.SocketError;
import io.lifeline.tcp.TcpSockets;
import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.DepartureWatch;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;

/**
 * Jetty 12 (ee10 or ee11), HTTP/2: a stream reset by the client ends its subscriber.
 *
 * <p>A browser's {@code EventSource.close()} on HTTP/2 resets the stream and keeps the connection for its other
 * streams, so there is no FIN to see. Jetty does see the reset, and fails the request: the servlet response hears of
 * it, and so do the request's failure listeners, this watch among them. The connection's own end (FIN, RST) fails
 * every stream on it the same way.</p>
 */
public final class JettyHttp2Watch implements DepartureWatch {

    public static final String KIND = "jetty-http2";

    private final JettyRequests requests;

    private final TcpSockets tcp;

    /** @throws ReflectiveOperationException where no Jetty servlet environment is visible to the web app */
    public JettyHttp2Watch(TcpSockets tcp) throws ReflectiveOperationException {
        this.requests = JettyRequests.find(JettyHttp2Watch.class.getClassLoader());
        this.tcp = tcp;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Handle prepare(HttpServletRequest request, DepartureListener listener) {
        Request core = requests.core(request);
        if (core == null || core.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_2) {
            return null;
        }
        SocketChannel channel = JettySockets.channel(core.getConnectionMetaData().getConnection().getEndPoint());
        if (channel != null) {
            tcp.prepare(channel); // the connection's: every stream on it belongs to the same client
        }
        return new StreamWatch(core, channel, listener);
    }

    /** A failure listener on one stream; Jetty offers no way to remove it, so cancelling silences it. */
    private final class StreamWatch implements Handle {
        private final Request request;
        private final SocketChannel channel;
        private final DepartureListener listener;
        private volatile boolean armed;
        private volatile boolean cancelled;

        StreamWatch(Request request, SocketChannel channel, DepartureListener listener) {
            this.request = request;
            this.channel = channel;
            this.listener = listener;
        }

        @Override
        public synchronized void arm() {
            if (armed || cancelled) {
                return;
            }
            armed = true;
            request.addFailureListener(failure -> {
                if (!cancelled) {
                    report(failure);
                }
            });
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public void abort() {
            requests.abort(request, new IOException("stream aborted by Lifeline"));
        }

        /**
         * Jetty fails a stream the client reset, or whose connection the client dropped, with an
         * {@link EofException}; the servlet response hears of it before any failure listener does.
         */
        @Override
        public boolean explain(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof EofException) {
                    report(failure);
                    return true;
                }
            }
            return false;
        }

        /**
         * A stream reset by the client ({@code RST_STREAM}), or a connection that ended, is {@code client-reset};
         * a connection the kernel gave up on ({@code ETIMEDOUT}, the TCP user timeout) is {@code client-timeout}.
         * Jetty's read of the connection swallows that error, but the kernel keeps the connection closed while it
         * was retransmitting, which {@link TcpSockets#gaveUp} reads. A FIN cannot be told apart as reliably: over TLS
         * the close_notify reaches Jetty before the FIN reaches the socket.
         */
        private void report(Throwable failure) {
            long now = System.nanoTime();
            if (SocketError.of(failure) == SocketError.TIMED_OUT
                    || channel != null && tcp.gaveUp(channel)) {
                listener.onTimedOut(now);
            } else {
                listener.onReset(now);
            }
        }
    }
}
