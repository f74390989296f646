package io.lifeline.watch.jetty;

import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;

/**
 * The TCP connection under a Jetty end point: over TLS, a connection's end point is the decrypted side of an
 * {@link SslConnection}, whose own end point is the network one.
 */
final class JettySockets {

    private JettySockets() {
    }

    /** The end point that reads and writes the socket itself. */
    static EndPoint network(EndPoint endPoint) {
        EndPoint e = endPoint;
        while (e instanceof SslConnection.SslEndPoint tls) {
            e = tls.getSslConnection().getEndPoint();
        }
        return e;
    }

    /** The socket channel under this end point, or null when it has none (a test's local end point, say). */
    static SocketChannel channel(EndPoint endPoint) {
        return network(endPoint) instanceof SocketChannelEndPoint socket ? socket.getChannel() : null;
    }
}
