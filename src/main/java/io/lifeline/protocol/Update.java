package io.lifeline.protocol;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One published update: the first topic is canonical, the others are alternates, and the hub dispatches the update
 * to subscribers of any of them.
 *
 * @param id            the SSE {@code id}; never empty, never starting with {@code #}, no CR, LF or NUL
 * @param topics        at least one topic
 * @param data          the SSE {@code data}, possibly empty and possibly several lines
 * @param type          the SSE {@code event} field, or null
 * @param retry         the SSE {@code retry} field in milliseconds, if any
 * @param privateUpdate whether only subscribers whose token's {@code mercure.subscribe} selectors match one of the
 *                      topics may receive it
 */
public record Update(String id, List<String> topics, String data, String type, OptionalLong retry,
                     boolean privateUpdate) {

    /**
     * The SSE {@code event} of the hub's own Mercure 1.0 subscription events, which no publisher may use (Mercure 1.0,
     * section "Publication": a publish with this {@code type} is a 400, so that a subscriber can trust such an event).
     */
    public static final String HUB_EVENT_TYPE = "mercure";

    public Update {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(retry, "retry");
        topics = List.copyOf(topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("an update has at least one topic");
        }
    }
}
