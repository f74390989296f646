package io.lifeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A full proxy that behaves like the F5 in Lifeline's founding incident: when its client side closes or resets, it
 * sends only a FIN to the server and goes on reading and discarding whatever the server writes. It never resets the
 * server side. Behind it, every client departure looks like a FIN to the server, and writes keep succeeding.
 */
public final class HalfClosingProxy implements AutoCloseable {

    /** One proxied connection. */
    public static final class Connection {
        private final Socket client;
        private final Socket server;
        private volatile long clientGoneNanos;
        private volatile long serverEofNanos;
        private final AtomicLong discarded = new AtomicLong();

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** The proxy's own port towards the server: what the server sees as the client's port. */
        public int serverSidePort() {
            return server.getLocalPort();
        }

        /** The client's port towards the proxy. */
        public int clientPort() {
            return client.getPort();
        }

        public boolean clientGone() {
            return clientGoneNanos != 0;
        }

        /** Whether the server closed its side (the proxy read EOF from it). */
        public boolean serverClosed() {
            return serverEofNanos != 0;
        }

        /** Bytes the server wrote after the client had gone. */
        public long discardedBytes() {
            return discarded.get();
        }
    }

    private final ServerSocket listener;
    private final int targetPort;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    public HalfClosingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "half-closing-proxy");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The connection whose client connected from this port. */
    public Connection connectionFrom(int clientPort) {
        return Poll.forValue(java.time.Duration.ofSeconds(5), "proxied connection from " + clientPort,
                () -> connections.stream().filter(c -> c.clientPort() == clientPort).findFirst().orElse(null));
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                Connection c = new Connection(client, server);
                connections.add(c);
                start("proxy-c2s", () -> clientToServer(c));
                start("proxy-s2c", () -> serverToClient(c));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("proxy accept failed", e);
                }
            }
        }
    }

    private static void start(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private void clientToServer(Connection c) {
        byte[] buffer = new byte[8192];
        try (InputStream in = c.client.getInputStream()) {
            OutputStream out = c.server.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException clientResetOrClosed) {
            // a reset client is gone all the same
        }
        clientGone(c);
    }

    private void clientGone(Connection c) {
        synchronized (c) {
            if (c.clientGoneNanos != 0) {
                return;
            }
            c.clientGoneNanos = System.nanoTime();
        }
        try {
            c.server.shutdownOutput(); // a FIN towards the server, never an RST
        } catch (IOException ignored) {
            // the server side may already be closed
        }
    }

    private void serverToClient(Connection c) {
        byte[] buffer = new byte[8192];
        try (InputStream in = c.server.getInputStream()) {
            OutputStream out = c.client.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (c.clientGone()) {
                    c.discarded.addAndGet(n);
                    continue;
                }
                try {
                    out.write(buffer, 0, n);
                    out.flush();
                } catch (IOException clientWriteFailed) {
                    clientGone(c);
                }
            }
            c.serverEofNanos = System.nanoTime();
        } catch (IOException e) {
            c.serverEofNanos = System.nanoTime();
        }
        closeQuietly(c.client);
        closeQuietly(c.server); // nothing left unread: a FIN
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Connection c : connections) {
            closeQuietly(c.client);
            closeQuietly(c.server);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
