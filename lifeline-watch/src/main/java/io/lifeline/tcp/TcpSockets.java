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
 * the bytes it sends may stay unacknowledged, a bound on how many it may hold unsent, the error the kernel recorded
 * when it ended the connection, and an abortive close.
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
 * <p><b>The unsent bound</b> ({@code TCP_NOTSENT_LOWAT}, Linux 3.12+) caps the bytes a connection holds written and
 * not yet sent. Without it the kernel grows a connection's send buffer up to {@code net.ipv4.tcp_wmem}'s maximum
 * (4 MiB by default) while its peer's window is shut, so a client that stops reading takes megabytes of the
 * machine's TCP memory, shared by every connection, and every write to it still completes: the hub's dispatch
 * timeout, which ends a subscriber whose write stays unfinished, never comes into play. With the bound, a write
 * finishes only while fewer bytes than the bound wait unsent, and the socket says it is writable again once fewer
 * than half do ({@code tcp_poll}); bytes in flight to a peer that reads are not counted, so a reader on a long fat
 * path keeps its full rate. Where the descriptor is not reachable, {@code SO_SNDBUF} set to the bound, through the
 * JDK's own socket options, stands in: it counts the bytes in flight too (the kernel doubles the value for its own
 * bookkeeping) and turns the kernel's send-buffer tuning off for the connection, so it caps one stream's rate at
 * about twice the bound per round trip.</p>
 *
 * <p><b>The pending error</b> ({@code SO_ERROR}) tells that {@code ETIMEDOUT} (or an RST's {@code ECONNRESET})
 * apart from a FIN: a container that reads the connection turns every error into an end of input, so the watch asks
 * the kernel first. Reading the error clears it.</p>
 *
 * <p>A connection the kernel gave up on while it probed a receive window its peer kept shut ({@code TCP_INFO}: no
 * retransmission, no unanswered window probe) belongs to a client that is there and has stopped reading, not to one
 * that vanished: {@link SocketError#STOPPED_READING}.</p>
 *
 * <p>Java 17 offers none of these options, so they go to the connection's file descriptor through JNA. The descriptor of
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

    /** How the unsent bound is applied to each connection. */
    public enum UnsentBound {
        /** {@code TCP_NOTSENT_LOWAT} on the descriptor: bytes not yet sent only. */
        NOTSENT_LOWAT("TCP_NOTSENT_LOWAT"),
        /** {@code SO_SNDBUF}: bytes not yet sent and bytes in flight, without the kernel's tuning. */
        SEND_BUFFER("SO_SNDBUF"),
        /** None of Lifeline's: the kernel's own send buffer, tuned up to {@code net.ipv4.tcp_wmem}'s maximum. */
        NONE("none");

        private final String option;

        UnsentBound(String option) {
            this.option = option;
        }

        /** The socket option's name, or {@code none}. */
        public String option() {
            return option;
        }
    }

    private final Duration userTimeout;
    private final long unsentBytes;
    private final Method descriptor;
    private final String unavailable;

    private TcpSockets(Duration userTimeout, long unsentBytes, Method descriptor, String unavailable) {
        this.userTimeout = userTimeout;
        this.unsentBytes = unsentBytes;
        this.descriptor = descriptor;
        this.unavailable = unavailable;
    }

    /** As {@link #detect} finds it where descriptors are not reachable, for the reason given. */
    static TcpSockets withoutDescriptors(Duration userTimeout, long unsentBytes, String reason) {
        return new TcpSockets(userTimeout, unsentBytes, null, reason);
    }

    /**
     * Finds out whether descriptors are reachable here, by setting the options on a socket of its own.
     *
     * @param userTimeout the TCP user timeout to set on every subscriber's connection; zero sets none
     * @param unsentBytes the unsent bound to set on every subscriber's connection, in bytes; zero sets none
     */
    public static TcpSockets detect(Duration userTimeout, long unsentBytes) {
        if (!Platform.isLinux()) {
            return new TcpSockets(userTimeout, unsentBytes, null, "TCP_USER_TIMEOUT, TCP_NOTSENT_LOWAT and SO_ERROR "
                    + "are read here on Linux only, not " + System.getProperty("os.name"));
        }
        Method descriptor;
        try {
            descriptor = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        } catch (ReflectiveOperationException e) {
            return new TcpSockets(userTimeout, unsentBytes, null, "this JVM has no sun.nio.ch.SelChImpl.getFDVal: "
                    + e);
        }
        try (SocketChannel probe = SocketChannel.open()) {
            int fd = (int) descriptor.invoke(probe);
            LibC.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_USER_TIMEOUT, new int[] {1000}, Integer.BYTES);
            LibC.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_NOTSENT_LOWAT, new int[] {16384}, Integer.BYTES);
            return new TcpSockets(userTimeout, unsentBytes, descriptor, null);
        } catch (IllegalAccessException e) {
            return new TcpSockets(userTimeout, unsentBytes, null, "the JVM does not export sun.nio.ch to Lifeline: "
                    + "start it with --add-exports java.base/sun.nio.ch=ALL-UNNAMED");
        } catch (LastErrorException e) {
            return new TcpSockets(userTimeout, unsentBytes, null, "the kernel refused TCP_USER_TIMEOUT or "
                    + "TCP_NOTSENT_LOWAT (errno " + e.getErrorCode() + ")");
        } catch (IOException | InvocationTargetException | RuntimeException | LinkageError e) {
            return new TcpSockets(userTimeout, unsentBytes, null, "JNA could not reach the C library: " + e);
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

    /** The unsent bound set on every subscriber's connection, in bytes, or zero when none is. */
    public long unsentBytes() {
        return unsentBound() == UnsentBound.NONE ? 0 : unsentBytes;
    }

    /** How the unsent bound is applied here: on the descriptor, as a send buffer, or not at all. */
    public UnsentBound unsentBound() {
        if (unsentBytes == 0) {
            return UnsentBound.NONE;
        }
        return descriptor != null ? UnsentBound.NOTSENT_LOWAT : UnsentBound.SEND_BUFFER;
    }

    /**
     * Sets the TCP user timeout and the unsent bound on a subscriber's connection, those that are configured: the
     * user timeout and {@code TCP_NOTSENT_LOWAT} where descriptors are reachable, else {@code SO_SNDBUF} in place of
     * the latter. A failure leaves the connection as it was and is logged at debug.
     */
    public void prepare(SocketChannel channel) {
        if (descriptor == null) {
            if (unsentBytes > 0) {
                try {
                    channel.setOption(StandardSocketOptions.SO_SNDBUF, (int) unsentBytes);
                } catch (IOException | RuntimeException e) {
                    LOG.debug("SO_SNDBUF not set on {}: {}", channel, e.toString());
                }
            }
            return;
        }
        try {
            int fd = fd(channel);
            if (!userTimeout.isZero()) {
                LibC.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_USER_TIMEOUT,
                        new int[] {(int) Math.min(Integer.MAX_VALUE, userTimeout.toMillis())}, Integer.BYTES);
            }
            if (unsentBytes > 0) {
                LibC.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_NOTSENT_LOWAT, new int[] {(int) unsentBytes},
                        Integer.BYTES);
            }
        } catch (LastErrorException | ReflectiveOperationException e) {
            LOG.debug("TCP_USER_TIMEOUT or TCP_NOTSENT_LOWAT not set on {}: {}", channel, e.toString());
        }
    }

    /**
     * Reads and clears the connection's pending error. {@link SocketError#NONE} when there is none, when descriptors
     * are not reachable, or when the channel has closed meanwhile; {@link SocketError#STOPPED_READING} for an
     * {@code ETIMEDOUT} that {@link #timedOut} tells apart so. Call it only while the channel is open and before
     * anyone reads or writes it: a read or a failed write consumes the error too.
     */
    public SocketError takeError(SocketChannel channel) {
        if (descriptor == null || !channel.isOpen()) {
            return SocketError.NONE;
        }
        try {
            int[] error = new int[1];
            LibC.getsockopt(fd(channel), LibC.SOL_SOCKET, LibC.SO_ERROR, error, new int[] {Integer.BYTES});
            SocketError taken = SocketError.ofErrno(error[0]);
            return taken == SocketError.TIMED_OUT ? timedOut(channel) : taken;
        } catch (LastErrorException | ReflectiveOperationException e) {
            LOG.debug("SO_ERROR not read on {}: {}", channel, e.toString());
            return SocketError.NONE;
        }
    }

    /**
     * Which timeout ended a connection the kernel gave up on ({@code ETIMEDOUT}, already known): the peer answered
     * every probe of its shut receive window, so it is there and stopped reading ({@link SocketError#STOPPED_READING}:
     * {@code TCP_INFO} counts no retransmission and at most the one window probe still on its way), or it did not
     * ({@link SocketError#TIMED_OUT}: bytes went unacknowledged, or window probes went unanswered). Linux counts a
     * probe out until an acknowledgement comes back ({@code icsk_probes_out}); a peer that vanished behind a shut
     * window leaves several. {@link SocketError#TIMED_OUT} when the state cannot be read.
     */
    public SocketError timedOut(SocketChannel channel) {
        byte[] info = tcpInfo(channel);
        if (info == null || (info[0] & 0xff) != TCP_CLOSE) {
            return SocketError.TIMED_OUT;
        }
        boolean answered = info[2] == 0 && (info[3] & 0xff) <= 1;
        return answered && channel.isOpen() ? SocketError.STOPPED_READING : SocketError.TIMED_OUT;
    }

    /**
     * The kernel's error behind a failed read or write on this connection ({@link SocketError#of}), an
     * {@code ETIMEDOUT} told apart by {@link #timedOut} while the channel is still open.
     */
    public SocketError ofFailure(Throwable failure, SocketChannel channel) {
        SocketError error = SocketError.of(failure);
        return error == SocketError.TIMED_OUT && channel != null ? timedOut(channel) : error;
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
