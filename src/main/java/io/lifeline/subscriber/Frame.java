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

    /** A last frame telling EventSource to wait this long before it reconnects. */
    public static Frame reconnectAfter(long millis) {
        return new Frame(("retry: " + millis + "\n\n").getBytes(StandardCharsets.US_ASCII), Kind.FINAL);
    }

    public int size() {
        return bytes.length;
    }
}
