package io.lifeline.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The {@code text/event-stream} encoding of updates and comments.
 *
 * <p>EventSource ends a line at CR, LF or CRLF alike, so every line of an update's data, split on any of the three,
 * becomes its own {@code data:} line; nothing a publisher sends can end the event early or add a field. An event
 * always has at least one {@code data:} line, even for empty data, so that EventSource dispatches it.</p>
 */
public final class EventStream {

    /** An empty comment: the first bytes of every stream, the heartbeat, and the departure probe. */
    public static final byte[] COMMENT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private EventStream() {
    }

    /**
     * A block that only moves the client's cursor: an {@code id} field, a {@code retry} field unless
     * {@code retryMillis} is negative, and no data, so that EventSource sets its last event id (and reconnection
     * time) and dispatches nothing (WHATWG HTML, server-sent events, "dispatch the event", steps 1 and 2).
     *
     * @param id never empty (an empty {@code id:} resets the client's last event id), no CR, LF or NUL
     * @throws IllegalArgumentException for an id that cannot be a field
     */
    public static byte[] cursor(String id, long retryMillis) {
        if (id.isEmpty() || !canBeId(id)) {
            throw new IllegalArgumentException("not an id for a cursor: " + id);
        }
        StringBuilder block = new StringBuilder(id.length() + 32).append("id: ").append(id).append('\n');
        if (retryMillis >= 0) {
            block.append("retry: ").append(retryMillis).append('\n');
        }
        return block.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code value} can be written as an SSE {@code id} field: it holds no CR or LF, which would end the field
     * and let the rest forge another, and no NUL, for which EventSource ignores the whole field (WHATWG HTML,
     * server-sent events, "process the field"). An empty value can: it resets the client's last event id.
     */
    public static boolean canBeId(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                return false;
            }
        }
        return true;
    }

    /**
     * A named event without an id, for streams that are not Mercure's (the live view's): {@code event:} then the
     * data split into lines as for an update.
     *
     * @param type an event type without CR or LF
     */
    public static byte[] event(String type, String data) {
        if (type.indexOf('\r') >= 0 || type.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("not an event type: " + type);
        }
        StringBuilder sb = new StringBuilder(data.length() + type.length() + 16).append("event: ").append(type)
                .append('\n');
        appendData(sb, data);
        return sb.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] encode(Update update) {
        StringBuilder sb = new StringBuilder(update.data().length() + update.id().length() + 32);
        if (update.type() != null) {
            sb.append("event: ").append(update.type()).append('\n');
        }
        update.retry().ifPresent(retry -> sb.append("retry: ").append(retry).append('\n'));
        sb.append("id: ").append(update.id()).append('\n');
        appendData(sb, update.data());
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One {@code data:} line per line of {@code data}, found with {@link String#indexOf} rather than char by char: most
     * data (JSON) has no line break at all and is appended whole.
     */
    private static void appendData(StringBuilder sb, String data) {
        int n = data.length();
        int lf = data.indexOf('\n');
        int cr = data.indexOf('\r');
        if (lf < 0 && cr < 0) {
            sb.append("data: ").append(data).append('\n');
            return;
        }
        int start = 0;
        while (lf >= 0 || cr >= 0) {
            int end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
            sb.append("data: ").append(data, start, end).append('\n');
            start = end + 1;
            if (end == cr && start < n && data.charAt(start) == '\n') {
                start++; // CRLF is one line break
            }
            if (lf >= 0 && lf < start) {
                lf = data.indexOf('\n', start);
            }
            if (cr >= 0 && cr < start) {
                cr = data.indexOf('\r', start);
            }
        }
        sb.append("data: ").append(data, start, n).append('\n');
    }
}
