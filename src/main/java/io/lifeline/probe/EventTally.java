package io.lifeline.probe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a server wrote into an event stream, counted as the WHATWG HTML standard's parser reads it (section 9.2.6):
 * lines end in CR, LF or CRLF; a line starting with a colon is a comment; an empty line ends a block. A block with
 * {@code data} is an event. Any other block read after the stream's first bytes is a heartbeat: comments, an
 * {@code event} or {@code id} field without data (nchan's {@code :hb} with {@code event: ping}), all of which keep
 * the connection busy without an event for the page. What comes with the first bytes (an opening comment, padding
 * for old browsers, an id-only block) is the stream's opening, not a heartbeat.
 *
 * <p>Times are {@link System#nanoTime()} readings of when the bytes were read.</p>
 */
final class EventTally {

    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean lastWasCr;
    private boolean blockHasData;
    private boolean blockHasFields;
    private boolean blockHasComment;
    private String blockId;
    private long bytes;
    private long firstByteNanos;
    private long lastBlockNanos;
    private int events;
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
        bytes += length;
        for (int i = 0; i < length; i++) {
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
            case "id" -> blockId = value.indexOf('\0') < 0 ? value : null;
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

    /** Blocks of comments alone. */
    int heartbeats() {
        return heartbeats;
    }

    /** The ids of the events, in order; events without an id leave none. */
    List<String> eventIds() {
        return eventIds;
    }

    /** For each heartbeat, how long the stream had been silent before it (nanoseconds). */
    List<Long> heartbeatGapsNanos() {
        return heartbeatGapsNanos;
    }

    /** The last {@code retry} the server sent, in milliseconds, or null. */
    Long retry() {
        return retry;
    }
}
