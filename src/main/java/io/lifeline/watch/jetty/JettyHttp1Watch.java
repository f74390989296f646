package io.lifeline.watch.jetty;

import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.DepartureWatch;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;

/**
 * Jetty 12 (ee10), HTTP/1.x: watches the connection's {@link EndPoint} for the end of the client's input.
 *
 * <p>While an async request is handled, Jetty's {@code HttpConnection} stops reading its socket, so a client's FIN
 * sits unread in the kernel. This watch registers its own read interest on the connection's end point and, when it
 * fires, fills a small buffer: -1 means the client's input has ended. Noticed in a few milliseconds.</p>
 *
 * <p>Only HTTP/1.x: an HTTP/2 connection shares one end point among all its streams, and reading it here would
 * steal other streams' frames. Such requests get another watch.</p>
 */
public final class JettyHttp1Watch implements DepartureWatch {

    public static final String KIND = "jetty-http1";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Handle prepare(HttpServletRequest request, DepartureListener listener) {
        ServletContextRequest jettyRequest;
        try {
            jettyRequest = ServletContextRequest.getServletContextRequest(request);
        } catch (IllegalStateException notJettyEe10) {
            return null;
        }
        ConnectionMetaData connection = jettyRequest.getConnectionMetaData();
        HttpVersion version = connection.getHttpVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return null;
        }
        if (!(connection.getConnection().getEndPoint() instanceof AbstractEndPoint endPoint)) {
            return null;
        }
        return new EndPointWatch(endPoint, listener);
    }
}
