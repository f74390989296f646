package io.lifeline.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lifeline.testing.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.Test;

/**
 * The kernel's side of a connection, on real loopback sockets: the TCP user timeout set on an accepted connection,
 * an RST read back as the pending error, and the messages a failed read or write carries.
 */
class TcpSocketsTest {

    private final TcpSockets tcp = TcpSockets.detect(Duration.ofSeconds(7), 64 * 1024);

    @Test
    void withTheJvmFlagTheDescriptorsAreReachable() {
        assertNull(tcp.unavailableReason());
        assertTrue(tcp.descriptorsReachable());
        assertEquals(Duration.ofSeconds(7), tcp.userTimeout());
    }

    @Test
    void theUserTimeoutIsSetOnTheConnectionInMilliseconds() throws Exception {
        try (Pair pair = Pair.open()) {
            tcp.prepare(pair.server);
            int[] value = new int[1];
            LibC.getsockopt((int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(pair.server),
                    LibC.IPPROTO_TCP, LibC.TCP_USER_TIMEOUT, value, new int[] {Integer.BYTES});
            assertEquals(7000, value[0]);
        }
    }

    @Test
    void theUnsentBoundIsSetOnTheConnectionAsTcpNotsentLowat() throws Exception {
        assertEquals(TcpSockets.UnsentBound.NOTSENT_LOWAT, tcp.unsentBound());
        try (Pair pair = Pair.open()) {
            tcp.prepare(pair.server);
            int[] value = new int[1];
            LibC.getsockopt((int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(pair.server),
                    LibC.IPPROTO_TCP, LibC.TCP_NOTSENT_LOWAT, value, new int[] {Integer.BYTES});
            assertEquals(64 * 1024, value[0]);
        }
    }

    /**
     * Where the descriptor is out of reach, the bound is the connection's send buffer, set through the JDK's own
     * socket option (read back as set, or doubled where the kernel shows its bookkeeping).
     */
    @Test
    void withoutTheDescriptorTheUnsentBoundIsTheSendBuffer() throws IOException {
        TcpSockets unreachable = TcpSockets.withoutDescriptors(Duration.ZERO, 64 * 1024, "a test without them");
        assertEquals(TcpSockets.UnsentBound.SEND_BUFFER, unreachable.unsentBound());
        try (Pair pair = Pair.open()) {
            unreachable.prepare(pair.server);
            int sendBuffer = pair.server.getOption(StandardSocketOptions.SO_SNDBUF);
            assertTrue(sendBuffer == 64 * 1024 || sendBuffer == 2 * 64 * 1024, "SO_SNDBUF " + sendBuffer);
        }
    }

    /**
     * A peer that is there and stopped reading: the kernel probes its shut window, the peer answers every probe, and
     * the user timeout ends the connection all the same. That is told apart from a peer that vanished.
     */
    @Test
    void aConnectionTheKernelGaveUpOnWhileItsPeerAnsweredEveryWindowProbeIsAReaderThatStopped() throws Exception {
        TcpSockets quick = TcpSockets.detect(Duration.ofSeconds(1), 16 * 1024);
        ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        try (listener; SocketChannel client = SocketChannel.open()) {
            client.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            client.connect(listener.getLocalAddress());
            try (SocketChannel server = listener.accept()) {
                quick.prepare(server);
                server.configureBlocking(false);
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8192);
                Poll.until(Duration.ofSeconds(5), "the client's window is shut and the bound full", () -> {
                    try {
                        bytes.clear();
                        return server.write(bytes) == 0;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertEquals(SocketError.STOPPED_READING, Poll.forValue(Duration.ofSeconds(10),
                        "the kernel gives up on the connection", () -> {
                            SocketError error = quick.takeError(server);
                            return error == SocketError.NONE ? null : error;
                        }));
            }
        }
    }

    @Test
    void aFinLeavesNoPendingError() throws IOException {
        try (Pair pair = Pair.open()) {
            pair.client.shutdownOutput();
            assertEquals(SocketError.NONE, tcp.takeError(pair.server));
        }
    }

    @Test
    void anRstIsReadAsThePendingErrorOnce() throws IOException {
        try (Pair pair = Pair.open()) {
            pair.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            pair.client.close();
            Poll.until(Duration.ofSeconds(2), "the RST is the pending error",
                    () -> tcp.takeError(pair.server) == SocketError.RESET);
            assertEquals(SocketError.NONE, tcp.takeError(pair.server), "reading the error clears it");
        }
    }

    @Test
    void theErrorBehindAFailureIsReadFromItsCauseChain() {
        assertEquals(SocketError.TIMED_OUT, SocketError.of(new EofException(new IOException("Connection timed out"))));
        assertEquals(SocketError.TIMED_OUT, SocketError.of(new IOException("No route to host")));
        assertEquals(SocketError.RESET, SocketError.of(new IOException("Connection reset by peer")));
        assertEquals(SocketError.OTHER, SocketError.of(new IOException("Broken pipe")));
        assertEquals(SocketError.OTHER, SocketError.of(new IOException()));
    }

    /** Both ends of one loopback connection. */
    private record Pair(ServerSocketChannel listener, SocketChannel client, SocketChannel server)
            implements AutoCloseable {
        static Pair open() throws IOException {
            ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            return new Pair(listener, client, listener.accept());
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }
}
