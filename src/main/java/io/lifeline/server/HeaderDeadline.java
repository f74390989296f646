package io.lifeline.server;

import io.lifeline.metrics.HubMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A deadline for a request's headers in the embedded program: a connection that has not sent a whole request head
 * within {@code LIFELINE_HEADER_TIMEOUT} of its opening, or of the end of its previous request, is closed.
 *
 * <p>Jetty has no such deadline: its idle timeout starts again with every byte, so a client sending its headers a
 * byte a second (slowloris) holds a connection for as long as the header size limit allows, hours, and a few
 * thousand such clients exhaust the process's open files. The deadline is kept per network connection, whatever
 * runs on it (a TLS handshake, ALPN, HTTP/1.1, HTTP/2): it waits while any request on the connection is being
 * handled, a subscriber's stream included, and starts again once none is. One scheduled task per connection between
 * requests, none while a stream is open.</p>
 */
final class HeaderDeadline extends Handler.Wrapper implements Connection.Listener {

    private final long timeoutMillis;
    private final Scheduler scheduler;
    private final Supplier<HubMetrics> metrics;
    private final Map<EndPoint, Watch> watches = new ConcurrentHashMap<>();

    HeaderDeadline(Duration timeout, Scheduler scheduler, Supplier<HubMetrics> metrics) {
        this.timeoutMillis = timeout.toMillis();
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    @Override
    public void onOpened(Connection connection) {
        watches.computeIfAbsent(network(connection.getEndPoint()), Watch::new).idle();
    }

    @Override
    public void onClosed(Connection connection) {
        EndPoint network = network(connection.getEndPoint());
        if (!network.isOpen()) { // an upgrade (h2c) closes a connection and keeps its end point
            Watch watch = watches.remove(network);
            if (watch != null) {
                watch.stop();
            }
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Watch watch = watches.get(network(request.getConnectionMetaData().getConnection().getEndPoint()));
        if (watch == null) {
            return super.handle(request, response, callback);
        }
        watch.requestStarted();
        boolean handled;
        try {
            handled = super.handle(request, response, Callback.from(callback, watch::requestEnded));
        } catch (Throwable e) {
            watch.requestEnded();
            throw e;
        }
        if (!handled) {
            watch.requestEnded();
        }
        return handled;
    }

    private static EndPoint network(EndPoint endPoint) {
        EndPoint e = endPoint;
        while (e instanceof SslConnection.SslEndPoint tls) {
            e = tls.getSslConnection().getEndPoint();
        }
        return e;
    }

    /** One network connection: how many requests it is handling, and its deadline while none. */
    private final class Watch {
        private final EndPoint endPoint;
        private int handling;
        private Scheduler.Task deadline;
        private boolean stopped;

        Watch(EndPoint endPoint) {
            this.endPoint = endPoint;
        }

        synchronized void idle() {
            if (handling == 0 && deadline == null && !stopped) {
                deadline = scheduler.schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
            }
        }

        synchronized void requestStarted() {
            handling++;
            cancel();
        }

        synchronized void requestEnded() {
            if (handling > 0 && --handling == 0) {
                idle();
            }
        }

        synchronized void stop() {
            stopped = true;
            cancel();
        }

        private void cancel() {
            if (deadline != null) {
                deadline.cancel();
                deadline = null;
            }
        }

        private void expire() {
            synchronized (this) {
                deadline = null;
                if (handling > 0 || stopped) {
                    return;
                }
                stopped = true;
            }
            HubMetrics m = metrics.get();
            if (m != null) {
                m.refused("header-timeout");
            }
            endPoint.close();
        }
    }
}
