package io.lifeline.probe;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** SSE servers other than Lifeline for the probe to judge, each the least that shows one behaviour. */
final class YardstickServers {

    private YardstickServers() {
    }

    /**
     * Embedded Jetty with one async servlet that writes the event-stream head and a comment, then holds the stream
     * and writes nothing more: the common SSE servlet, with no departure watch. It learns of a departure only when
     * a write fails, and it writes nothing.
     */
    static final class UnwatchedServlet implements AutoCloseable {
        private final Server server = new Server();
        private final ServerConnector connector = new ServerConnector(server);

        UnwatchedServlet() throws Exception {
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.addServlet(new ServletHolder(new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    AsyncContext async = request.startAsync();
                    async.setTimeout(0);
                    response.setContentType("text/event-stream");
                    response.setHeader("Cache-Control", "no-cache");
                    response.getOutputStream().write(":\n\n".getBytes(StandardCharsets.US_ASCII));
                    response.getOutputStream().flush();
                }
            }), "/events");
            server.setHandler(context);
            server.start();
        }

        int port() {
            return connector.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.stop();
        }
    }

    /**
     * A raw TCP server that answers any request with an event-stream head and a comment, then reads until the
     * client's FIN and closes at once: what an event-loop server that watches reads does. Or, made {@link #atOnce},
     * closes right after the comment, as an endpoint that serves no lasting stream.
     */
    static final class ClosingOnFin implements AutoCloseable {
        private final boolean atOnce;
        private final ServerSocket listener;
        private final Thread acceptor;
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        ClosingOnFin() throws IOException {
            this(false);
        }

        private ClosingOnFin(boolean atOnce) throws IOException {
            this.atOnce = atOnce;
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            acceptor = new Thread(this::accept, "closing-on-fin");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** A server that closes each stream right after its first comment. */
        static ClosingOnFin atOnce() throws IOException {
            return new ClosingOnFin(true);
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    open.add(socket);
                    Thread serve = new Thread(() -> serve(socket), "closing-on-fin-stream");
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                byte[] head = new byte[8192];
                int read = 0;
                while (!new String(head, 0, read, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    int n = in.read(head, read, head.length - read);
                    if (n < 0) {
                        return;
                    }
                    read += n;
                }
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                        + "Connection: close\r\n\r\n:\n\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (!atOnce && in.read(head) >= 0) {
                    // a request body or pipelined bytes: nothing to do until the FIN
                }
            } catch (IOException e) {
                // the client reset: the stream is over either way
            } finally {
                open.remove(socket);
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : open) {
                socket.close();
            }
        }
    }
}
