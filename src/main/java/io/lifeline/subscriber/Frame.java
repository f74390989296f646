package io.lifeline.subscriber;

import io.lifeline.protocol.EventStream;
import io.lifeline.protocol.Update;

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

    /** A named event without an id ({@link EventStream#event}), for the live view's stream. */
    public static Frame event(String type, String data) {
        return new Frame(EventStream.event(type, data), Kind.UPDATE);
    }

    /**
     * An id-only block naming where the client resumes ({@link EventStream#cursor}): EventSource sets its last event
     * id from it, dispatches nothing, and sends it as {@code Last-Event-ID} when it reconnects.
     */
    public static Frame cursor(String id) {
        return new Frame(EventStream.cursor(id, -1), Kind.CURSOR);
    }

    /**
     * A last frame: where the client resumes (as {@link #cursor}) and, unless {@code retryMillis} is negative, how
     * long EventSource waits before it reconnects (SSE's {@code retry} field).
     */
    public static Frame resumeAt(String id, long retryMillis) {
        return new Frame(EventStream.cursor(id, retryMillis), Kind.FINAL);
    }

    public int size() {
        return bytes.length;
    }
}
