package io.lifeline.hub;

import io.lifeline.protocol.UpdateForm;

/**
 * A place in the hub's order of updates, handed to clients as an SSE {@code id} so that they can resume from it:
 * {@code urn:lifeline:position:<epoch>-<sequence>}. It names no update, so it never reveals a private update's id to
 * a subscriber who may not see it, and it moves the client's cursor past everything published before it, whether or
 * not the client received it (it did not match, or was not for this client).
 *
 * <p>The epoch is drawn at random each time a history starts: a position from another process means nothing here,
 * and a reconnection with one is answered like any unknown id ({@code earliest}).</p>
 *
 * @param epoch    the history it belongs to
 * @param sequence the number of the last update published before it; 0 before any
 */
public record Position(String epoch, long sequence) {

    static final String PREFIX = UpdateForm.RESERVED_ID_PREFIX + "position:";

    /** The SSE id. */
    public String id() {
        return PREFIX + epoch + "-" + sequence;
    }

    /** The position an id names, or null when it names none. */
    public static Position parse(String id) {
        if (id == null || !id.startsWith(PREFIX)) {
            return null;
        }
        int dash = id.lastIndexOf('-');
        if (dash <= PREFIX.length()) {
            return null;
        }
        try {
            long sequence = Long.parseLong(id.substring(dash + 1));
            return sequence < 0 ? null : new Position(id.substring(PREFIX.length(), dash), sequence);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
