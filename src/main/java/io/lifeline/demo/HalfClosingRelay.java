package io.lifeline.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay for one connection that leaves the way the F5 in front of an SSE server did: when its client closes,
 * it sends the hub a FIN ({@code shutdownOutput}) and nothing else, and goes on reading and acknowledging whatever
 * the hub writes. No write of the hub's ever fails, so only a hub that reads the FIN notices the departure.
 *
 * <p>It connects to the hub first, then listens on loopback for its one client. Two threads carry the bytes, one
 * per direction, for the life of one demonstration. {@link #close} resets both connections (RST).</p>
 */
final class HalfClosingRelay implements AutoCloseable {

    private final ServerSocket listening;
    private final Socket hub;
    private final AtomicLong bytesAfterFin = new AtomicLong();
    private volatile Socket client;
    private volatile long finSentNanos;

    /** Connects to the hub at {@code hubAddress} and listens on loopback, on a port of the kernel's choosing. */
    HalfClosingRelay(InetSocketAddress hubAddress) throws IOException {
        hub = new Socket();
        try {
            hub.connect(hubAddress, 2000);
            listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            hub.close();
            throw e;
        }
        Thread accepting = new Thread(this::relay, "lifeline-demo-relay");
        accepting.setDaemon(true);
        accepting.start();
    }

    /** Where its client connects. */
    InetSocketAddress address() {
        return (InetSocketAddress) listening.getLocalSocketAddress();
    }

    /** The relay's own port on its connection to the hub: the hub sees the relay there. */
    int hubSidePort() {
        return hub.getLocalPort();
    }

    /** {@link System#nanoTime()} when the FIN went to the hub, or 0 while the client is still there. */
    long finSentNanos() {
        return finSentNanos;
    }

    /** Bytes the hub wrote after the FIN, all taken and acknowledged by the relay. */
    long bytesAfterFin() {
        return bytesAfterFin.get();
    }

    private void relay() {
        try (ServerSocket once = listening) {
            client = once.accept();
        } catch (IOException closed) {
            return;
        }
        Thread fromHub = new Thread(this::fromHub, "lifeline-demo-relay-hub");
        fromHub.setDaemon(true);
        fromHub.start();
        byte[] buffer = new byte[8192];
        try {
            InputStream in = client.getInputStream();
            OutputStream out = hub.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            long now = System.nanoTime(); // taken before the FIN leaves, so no time after it is missed
            hub.shutdownOutput(); // the client left: the hub gets a FIN, and only that
            finSentNanos = now;
        } catch (IOException gone) {
            // closed by close()
        }
    }

    /** Hub to client while the client is there; then the relay keeps reading, like the F5 kept accepting data. */
    private void fromHub() {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = hub.getInputStream();
            OutputStream out = client.getOutputStream();
            boolean clientThere = true;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (finSentNanos != 0) {
                    bytesAfterFin.addAndGet(n);
                }
                if (clientThere) {
                    try {
                        out.write(buffer, 0, n);
                    } catch (IOException clientGone) {
                        clientThere = false;
                    }
                }
            }
        } catch (IOException closed) {
            // closed by close()
        }
    }

    /** Resets both connections and stops listening. */
    @Override
    public void close() {
        for (Socket socket : new Socket[] {hub, client}) {
            if (socket != null) {
                try {
                    socket.setSoLinger(true, 0);
                    socket.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
        try {
            listening.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
