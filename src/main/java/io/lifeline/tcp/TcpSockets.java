package io.lifeline.tcp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Lifeline asks of the kernel about a subscriber's TCP connection, below the container: a bound on how long
 * the bytes it sends may stay unacknowledged, the error the kernel recorded when it ended the connection, and an
 * abortive close.
 *
 * <p><b>The TCP user timeout</b> ({@code TCP_USER_TIMEOUT}, RFC 5482, Linux 2.6.37+) is what notices a client that
 * vanishes without a FIN or an RST: power lost, network gone, a NAT or load balancer that dropped the flow. Nothing
 * comes back from such a client, yet every heartbeat lands in the kernel's send queue and no write ever fails; TCP
 * keep-alive probes are not sent while sent data is unacknowledged, and the retransmission limit
 * ({@code tcp_retries2}) takes about 15 minutes. With a user timeout the kernel aborts the connection once sent
 * bytes have stayed unacknowledged that long, or once the reader's window has stayed shut that long, and the next
 * read or write fails with {@code ETIMEDOUT}. So the bound is one heartbeat (the first byte that goes unanswered)
 * plus the user timeout, plus the retransmission timer's granularity.</p>
 *
 * <p><b>The pending error</b> ({@code SO_ERROR}) tells that {@code ETIMEDOUT} (or an RST's {@code ECONNRESET})
 * apart from a FIN: a container that reads the connection turns every error into an end of input, so the watch asks
 * the kernel first. Reading the error clears it.</p>
 *
 * <p>Java 17 offers neither option, so both go to the connection's file descriptor through JNA. The descriptor of
 * a JDK channel is reachable only when the JVM exports {@code sun.nio.ch} to Lifeline: the JVM flag
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, or {@code Add-Exports: java.base/sun.nio.ch} in an
 * executable jar's manifest (the embedded program's has it). Linux only; elsewhere {@link #detect} says why not, and
 * the only bound on a silent departure is the subscriber's maximum lifetime.</p>
 *
 * <p><b>The abortive close</b> needs neither: {@code SO_LINGER} of zero makes the next close send an RST and drop
 * whatever is still queued, instead of a FIN behind bytes that will never be taken (which would hold the socket in
 * {@code FIN-WAIT-1} for minutes).</p>
 */
public final class TcpSockets {

    private static final Logger LOG = LoggerFactory.getLogger(TcpSockets.class);

    /** {@code tcpi_state} of a connection the kernel has let go of (linux/tcp.h: {@code TCP_CLOSE}). */
    private static final int TCP_CLOSE = 7;
    /** {@code tcpi_state} of a connection whose peer sent a FIN, this side still open ({@code TCP_CLOSE_WAIT}). */
    private static final int TCP_CLOSE_WAIT = 8;

    private final Duration userTimeout;
    private final Method descriptor;
    private final String unavailable;

    private TcpSockets(Duration userTimeout, Method descriptor, String unavailable) {
        this.userTimeout = userTimeout;
        this.descriptor = descriptor;
        this.unavailable = unavailable;
    }

    /**
     * Finds out whether descriptors are reachable here, by setting the option on a socket of its own.
     *
     * @param userTimeout the TCP user timeout to set on every subscriber's connection; zero sets none
     */
    public static TcpSockets detect(Duration userTimeout) {
        if (!Platform.isLinux()) {
            return new TcpSockets(userTimeout, null, "TCP_USER_TIMEOUT and SO_ERROR are read here on Linux only, not "
                    + System.getProperty("os.name"));
        }
        Method descriptor;
        try {
            descriptor = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        } catch (ReflectiveOperationException e) {
            return new TcpSockets(userTimeout, null, "this JVM has no sun.nio.ch.SelChImpl.getFDVal: " + e);
        }
        try (SocketChannel probe = SocketChannel.open()) {
            int fd = (int) descriptor.invoke(probe);
            LibC.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_USER_TIMEOUT, new int[] {1000}, Integer.BYTES);
            return new TcpSockets(userTimeout, descriptor, null);
        } catch (IllegalAccessException e) {
            return new TcpSockets(userTimeout, null, "the JVM does not export sun.nio.ch to Lifeline: start it with "
                    + "--add-exports java.base/sun.nio.ch=ALL-UNNAMED");
        } catch (LastErrorException e) {
            return new TcpSockets(userTimeout, null, "the kernel refused TCP_USER_TIMEOUT (errno "
                    + e.getErrorCode() + ")");
        } catch (IOException | InvocationTargetException | RuntimeException | LinkageError e) {
            return new TcpSockets(userTimeout, null, "JNA could not reach the C library: " + e);
        }
    }

    /** Whether a connection's descriptor is reachable: its pending error can be read, its options set. */
    public boolean descriptorsReachable() {
        return descriptor != null;
    }

    /** Why descriptors are not reachable here, or null when they are. */
    public String unavailableReason() {
        return unavailable;
    }

    /** The TCP user timeout set on every subscriber's connection, or zero when none is. */
    public Duration userTimeout() {
        return descriptor == null ? Duration.ZERO : userTimeout;
    }

    /**
     * Sets the TCP user timeout on a subscriber's connection, when one is configured and descriptors are reachable.
     * A failure leaves the connection as it was (bounded by the maximum lifetime only) and is logged at debug.
     */
    public void prepare(SocketChannel channel) {
        if (descriptor == null || userTimeout.isZero()) {
            return;
        }
        try {
            LibC.setsockopt(fd(channel), LibC.IPPROTO_TCP, LibC.TCP_USER_TIMEOUT,
                    new int[] {(int) Math.min(Integer.MAX_VALUE, userTimeout.toMillis())}, Integer.BYTES);
        } catch (LastErrorException | ReflectiveOperationException e) {
            LOG.debug("TCP_USER_TIMEOUT not set on {}: {}", channel, e.toString());
        }
    }

    /**
     * Reads and clears the connection's pending error. {@link SocketError#NONE} when there is none, when descriptors
     * are not reachable, or when the channel has closed meanwhile. Call it only while the channel is open and before
     * anyone reads or writes it: a read or a failed write consumes the error too.
     */
    public SocketError takeError(SocketChannel channel) {
        if (descriptor == null || !channel.isOpen()) {
            return SocketError.NONE;
        }
        try {
            int[] error = new int[1];
            LibC.getsockopt(fd(channel), LibC.SOL_SOCKET, LibC.SO_ERROR, error, new int[] {Integer.BYTES});
            return SocketError.ofErrno(error[0]);
        } catch (LastErrorException | ReflectiveOperationException e) {
            LOG.debug("SO_ERROR not read on {}: {}", channel, e.toString());
            return SocketError.NONE;
        }
    }

    /**
     * Whether the kernel gave up on the connection, for a watch that hears of an end only after the container has
     * read the socket, and with it the pending error: an HTTP/2 connection, which the container reads all the time.
     * A connection the kernel gave up on is closed ({@code TCP_INFO}'s state) while it was still retransmitting or
     * probing the peer's shut window; one the peer reset or closed is not. The answer counts only if the channel is
     * still open once it is read, so that a descriptor closed and reused meanwhile is never asked; false when
     * unknown.
     */
    public boolean gaveUp(SocketChannel channel) {
        byte[] info = tcpInfo(channel);
        if (info == null) {
            return false;
        }
        boolean retransmitting = info[2] != 0 || info[3] != 0;
        return channel.isOpen() && (info[0] & 0xff) == TCP_CLOSE && retransmitting;
    }

    /**
     * Whether the peer closed its side of the connection with a FIN and nothing since: the connection is in
     * {@code CLOSE-WAIT} ({@code TCP_INFO}'s state; RFC 9293, section 3.3.2). After an RST, or once the kernel gave up,
     * it is closed instead, also when a read or a write has already taken the pending error. The answer counts only if
     * the channel is still open once it is read; false when unknown.
     */
    public boolean finReceived(SocketChannel channel) {
        byte[] info = tcpInfo(channel);
        return info != null && (info[0] & 0xff) == TCP_CLOSE_WAIT && channel.isOpen();
    }

    /**
     * The first bytes of the connection's {@code TCP_INFO} ({@code u8 tcpi_state, tcpi_ca_state, tcpi_retransmits,
     * tcpi_probes, ...}), or null when descriptors are not reachable, the channel is closed, or the call fails.
     */
    private byte[] tcpInfo(SocketChannel channel) {
        if (descriptor == null || !channel.isOpen()) {
            return null;
        }
        byte[] info = new byte[8];
        try {
            LibC.getsockopt(fd(channel), LibC.IPPROTO_TCP, LibC.TCP_INFO, info, new int[] {info.length});
            return info;
        } catch (LastErrorException | ReflectiveOperationException e) {
            return null;
        }
    }

    /**
     * Makes the connection's next close abortive: the kernel drops what is still queued and sends an RST. Without
     * it, a close queues a FIN behind bytes the client never takes.
     */
    public static void abortOnClose(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            LOG.debug("SO_LINGER not set on {}: {}", channel, e.toString());
        }
    }

    private int fd(SocketChannel channel) throws ReflectiveOperationException {
        return (int) descriptor.invoke(channel);
    }
}
