package io.lifeline.watch.jetty;

import io.lifeline.tcp.TcpSockets;
import io.lifeline.watch.DepartureListener;
import io.lifeline.watch.DepartureWatch;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * Jetty 12 (ee10 or ee11), HTTP/1.x, plain or TLS: watches the connection's {@link EndPoint} for the end of the
 * client's input.
 *
 * <p>While an async request is handled, Jetty's {@code HttpConnection} stops reading its socket, so a client's FIN
 * sits unread in the kernel. This watch registers its own read interest on the connection's end point and, when it
 * fires, fills a small buffer: -1 means the client's input has ended. Over TLS the end point is the decrypted one,
 * and the end of the TLS stream reads the same way. Noticed in a few milliseconds. The connection also gets the TCP
 * user timeout, and the watch reads the kernel's pending error before Jetty does, so a client that vanished without
 * a FIN or an RST ends {@code client-timeout} once the kernel gives up on it.</p>
 *
 * <p>Only HTTP/1.x: an HTTP/2 connection shares one end point among all its streams, and reading it here would
 * steal other streams' frames. Such requests get {@link JettyHttp2Watch}.</p>
 */
public final class JettyHttp1Watch implements DepartureWatch {

    public static final String KIND = "jetty-http1";

    private final JettyRequests requests;
    private final TcpSockets tcp;

    /** @throws ReflectiveOperationException where no Jetty servlet environment is visible to the web app */
    public JettyHttp1Watch(TcpSockets tcp) throws ReflectiveOperationException {
        this.requests = JettyRequests.find(JettyHttp1Watch.class.getClassLoader());
        this.tcp = tcp;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Handle prepare(HttpServletRequest request, DepartureListener listener) {
        Request core = requests.core(request);
        if (core == null) {
            return null;
        }
        ConnectionMetaData connection = core.getConnectionMetaData();
        HttpVersion version = connection.getHttpVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return null;
        }
        if (!(connection.getConnection().getEndPoint() instanceof AbstractEndPoint endPoint)) {
            return null;
        }
        return new EndPointWatch(endPoint, tcp, listener);
    }

    @Override
    public String toString() {
        return KIND + " (" + requests.environment() + ")";
    }
}
