package io.lifeline.probe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a server wrote into an event stream, its lines and fields read as the WHATWG HTML standard's parser reads them
 * (section 9.2.6): a leading byte order mark is dropped; lines end in CR, LF or CRLF; a line starting with a colon
 * is a comment; an empty line ends a block. A block with
 * {@code data} is an event. Any other block read after the stream's first bytes is a heartbeat: comments, an
 * {@code event} or {@code id} field without data (nchan's {@code :hb} with {@code event: ping}), all of which keep
 * the connection busy without an event for the page. What comes with the first bytes (an opening comment, padding
 * for old browsers, an id-only block) is the stream's opening, not a heartbeat.
 *
 * <p>Times are {@link System#nanoTime()} readings of when the bytes were read.</p>
 */
final class EventTally {

    /** UTF-8's byte order mark, which a stream may start with (WHATWG HTML, section 9.2.5). */
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean lastWasCr;
    private boolean blockHasData;
    private boolean blockHasFields;
    private boolean blockHasComment;
    private String blockId;
    /** The stream's last event id as an EventSource keeps it: set by any block's {@code id}, events or not. */
    private String lastEventId;
    private long bytes;
    private long firstByteNanos;
    private long lastBlockNanos;
    private int events;
    private long longestSilenceNanos;
    private int heartbeats;
    private Long retry;
    private final List<String> eventIds = new ArrayList<>();
    private final List<Long> heartbeatGapsNanos = new ArrayList<>();

    /** Counts bytes read at {@code nanos}. */
    void feed(byte[] data, int length, long nanos) {
        if (length > 0 && bytes == 0) {
            firstByteNanos = nanos;
            lastBlockNanos = nanos;
        }
        int from = bytes == 0 && length >= BOM.length && data[0] == BOM[0] && data[1] == BOM[1] && data[2] == BOM[2]
                ? BOM.length : 0;
        bytes += length;
        for (int i = from; i < length; i++) {
            byte b = data[i];
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                endLine(nanos);
            } else if (line.size() < 1024 * 1024) {
                line.write(b);
            }
        }
    }

    private void endLine(long nanos) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            if (blockHasData) {
                events++;
                if (blockId != null) {
                    eventIds.add(blockId);
                }
            } else if ((blockHasFields || blockHasComment) && nanos > firstByteNanos) {
                heartbeats++;
                heartbeatGapsNanos.add(nanos - lastBlockNanos);
            }
            if (blockHasData || blockHasFields || blockHasComment) {
                if (nanos > firstByteNanos) {
                    longestSilenceNanos = Math.max(longestSilenceNanos, nanos - lastBlockNanos);
                }
                lastBlockNanos = nanos;
            }
            blockHasData = false;
            blockHasFields = false;
            blockHasComment = false;
            blockId = null;
            return;
        }
        if (text.startsWith(":")) {
            blockHasComment = true;
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        blockHasFields = true;
        switch (field) {
            case "data" -> blockHasData = true;
            case "id" -> {
                blockId = value.indexOf('\0') < 0 ? value : null;
                if (blockId != null) {
                    lastEventId = blockId;
                }
            }
            case "retry" -> {
                if (value.matches("\\d{1,12}")) {
                    retry = Long.parseLong(value);
                }
            }
            default -> {
                // event and unknown fields change nothing counted here
            }
        }
    }

    /** Body bytes read. */
    long bytes() {
        return bytes;
    }

    /** When the first body byte was read, or 0 before it. */
    long firstByteNanos() {
        return firstByteNanos;
    }

    /** Blocks with {@code data}: events an EventSource dispatches. */
    int events() {
        return events;
    }

    /** Heartbeats: blocks without data after the stream's opening, as the class comment says. */
    int heartbeats() {
        return heartbeats;
    }

    /**
     * The ids of the events whose block carries an {@code id} field, in order. (An EventSource also gives later
     * events without one the last id seen; the {@code Last-Event-ID} check needs the ids the server named.)
     */
    List<String> eventIds() {
        return eventIds;
    }

    /** For each heartbeat, how long the stream had been silent before it (nanoseconds). */
    List<Long> heartbeatGapsNanos() {
        return heartbeatGapsNanos;
    }

    /**
     * The longest silence before a block, or since the last block until {@code now} ({@link System#nanoTime()}),
     * counted from the stream's first bytes.
     */
    long longestSilenceNanos(long now) {
        return Math.max(longestSilenceNanos, firstByteNanos == 0 ? 0 : now - lastBlockNanos);
    }

    /** The last {@code id} the stream set, with an event or without one (a cursor), or null. */
    String lastEventId() {
        return lastEventId;
    }

    /** The last {@code retry} the server sent, in milliseconds, or null. */
    Long retry() {
        return retry;
    }
}
