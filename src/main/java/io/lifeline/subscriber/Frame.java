package io.lifeline.subscriber;

import io.lifeline.protocol.EventStream;
import io.lifeline.protocol.Update;
import java.nio.charset.StandardCharsets;

/**
 * Bytes queued for a subscriber. An update is encoded once and the same frame is queued for every subscriber it
 * reaches.
 */
public final class Frame {

    enum Kind {
        UPDATE,
        COMMENT,
        /** An id-only block: it moves the client's last event id and dispatches no event. */
        CURSOR,
        /** The subscriber's last frame: once it has gone out, the subscriber ends. */
        FINAL
    }

    /** The comment that opens every stream. */
    static final Frame OPENING = new Frame(EventStream.COMMENT, Kind.COMMENT);
    /** The heartbeat comment. */
    static final Frame HEARTBEAT = new Frame(EventStream.COMMENT, Kind.COMMENT);
    /** The comment written after the client's input ended, to tell a FIN (it is written) from an RST (it fails). */
    static final Frame PROBE = new Frame(EventStream.COMMENT, Kind.FINAL);

    final byte[] bytes;
    final Kind kind;

    private Frame(byte[] bytes, Kind kind) {
        this.bytes = bytes;
        this.kind = kind;
    }

    public static Frame of(Update update) {
        return new Frame(EventStream.encode(update), Kind.UPDATE);
    }

    /**
     * An id-only block naming where the client resumes: EventSource sets its last event id from it and dispatches
     * nothing, since the block has no data (WHATWG HTML, "dispatch the event", steps 1 and 2). The client sends it as
     * {@code Last-Event-ID} when it reconnects.
     *
     * @param id never empty (an empty {@code id:} would reset the client's last event id), no CR, LF or NUL
     */
    public static Frame cursor(String id) {
        return new Frame(cursorLine(id).append('\n').toString().getBytes(StandardCharsets.UTF_8), Kind.CURSOR);
    }

    /**
     * A last frame: where the client resumes (as {@link #cursor}) and, unless {@code retryMillis} is negative, how
     * long EventSource waits before it reconnects (SSE's {@code retry} field).
     */
    public static Frame resumeAt(String id, long retryMillis) {
        StringBuilder block = cursorLine(id);
        if (retryMillis >= 0) {
            block.append("retry: ").append(retryMillis).append('\n');
        }
        return new Frame(block.append('\n').toString().getBytes(StandardCharsets.UTF_8), Kind.FINAL);
    }

    private static StringBuilder cursorLine(String id) {
        if (id.isEmpty() || id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0 || id.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not an id for a cursor: " + id);
        }
        return new StringBuilder(id.length() + 32).append("id: ").append(id).append('\n');
    }

    public int size() {
        return bytes.length;
    }
}
