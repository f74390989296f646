package io.lifeline.probe;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * An event stream the probe holds: its connection, its response head, and a tally of what the server wrote.
 * Reads only when told to, so that a check decides when the client reads, stalls or leaves.
 */
final class HeldStream implements AutoCloseable {

    private final Connection connection;
    private final ResponseHead head;
    private final long requestNanos;
    private final long headNanos;
    private final EventTally tally = new EventTally();
    private final byte[] chunk = new byte[16 * 1024];

    private HeldStream(Connection connection, ResponseHead head, long requestNanos, long headNanos) {
        this.connection = connection;
        this.head = head;
        this.requestNanos = requestNanos;
        this.headNanos = headNanos;
    }

    /**
     * Opens a connection, sends the stream request and reads the response head.
     *
     * @param receiveBuffer the socket's receive buffer, or 0 for the system's
     * @throws IOException no connection, or no head by the deadline ({@link System#nanoTime()}), or not HTTP
     */
    static HeldStream open(Target target, URI url, List<String> extraHeaders, int receiveBuffer, long deadline)
            throws IOException {
        Connection connection = target.open(receiveBuffer);
        try {
            long requestNanos = System.nanoTime();
            connection.send(target.streamRequest(url, extraHeaders), null);
            ResponseHead head = connection.readHead(deadline);
            if (head == null) {
                throw new IOException("no response head within the window");
            }
            return new HeldStream(connection, head, requestNanos, System.nanoTime());
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    Connection connection() {
        return connection;
    }

    ResponseHead head() {
        return head;
    }

    EventTally tally() {
        return tally;
    }

    /** Nanoseconds from sending the request to reading the head. */
    long headAfterNanos() {
        return headNanos - requestNanos;
    }

    /** Nanoseconds from sending the request to now. */
    long ageNanos() {
        return System.nanoTime() - requestNanos;
    }

    /** Nanoseconds from sending the request to reading the first body byte, or -1 before one came. */
    long firstByteAfterNanos() {
        return tally.firstByteNanos() == 0 ? -1 : tally.firstByteNanos() - requestNanos;
    }

    /** Whether the head says this is an event stream: status 200 and {@code Content-Type: text/event-stream}. */
    boolean isEventStream() {
        return head.status() == 200 && "text/event-stream".equals(head.mediaType());
    }

    /**
     * Reads until {@code done} holds, the deadline passes or the server ends the stream.
     *
     * @return whether {@code done} held
     */
    boolean readUntil(long deadline, BooleanSupplier done) throws IOException {
        while (!done.getAsBoolean()) {
            int n = connection.readBody(chunk, deadline);
            if (n < 0) {
                return done.getAsBoolean();
            }
            if (n == 0) {
                return false;
            }
            tally.feed(chunk, n, System.nanoTime());
        }
        return true;
    }

    /** Reads until the server ends the stream or the deadline passes; says how the stream stands then. */
    Connection.End readToEnd(long deadline) throws IOException {
        readUntil(deadline, () -> connection.end() != Connection.End.OPEN);
        return connection.end();
    }

    @Override
    public void close() {
        connection.close();
    }
}
