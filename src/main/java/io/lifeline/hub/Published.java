package io.lifeline.hub;

import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import java.util.List;
import java.util.function.LongFunction;

/**
 * An update with its place in the hub's order and its bytes on the wire, encoded once for every subscriber and
 * every replay, and no earlier than someone needs them.
 *
 * <p>A publisher's update arrives encoded. A subscription event of the in-memory transport arrives as an
 * {@link Announcement}: its update (its id, its JSON document) and its frame are built the first time they are asked
 * for, by whichever thread asks; two threads that ask at once may both build them, the same bytes, and one result is
 * kept. Until then it holds its topics and the announcement.</p>
 */
public final class Published {

    private final long sequence;
    private final boolean hubEvent;
    private final boolean privateUpdate;
    private final List<String> topics;
    private final long bytes;
    /** Builds the update of an announcement from its sequence; null once built, or for an update that came built. */
    private volatile LongFunction<Update> pending;
    private volatile Update update;
    private volatile Frame frame;

    private Published(long sequence, boolean hubEvent, boolean privateUpdate, List<String> topics, long bytes,
                      Update update, Frame frame, LongFunction<Update> pending) {
        this.sequence = sequence;
        this.hubEvent = hubEvent;
        this.privateUpdate = privateUpdate;
        this.topics = topics;
        this.bytes = bytes;
        this.update = update;
        this.frame = frame;
        this.pending = pending;
    }

    /** An update that arrives built: a publisher's, or any update read from a store the nodes share. */
    static Published of(long sequence, Update update, Frame frame, boolean hubEvent) {
        return new Published(sequence, hubEvent, update.privateUpdate(), update.topics(), frame.size(), update, frame,
                null);
    }

    /** An update that arrives built, its frame encoded when first asked for. */
    public static Published of(long sequence, Update update, boolean hubEvent) {
        return new Published(sequence, hubEvent, update.privateUpdate(), update.topics(), -1, update, null, null);
    }

    /**
     * A subscription event of this transport's own, built when first read; private, as every subscription event
     * is.
     *
     * @param idOf the id an update numbered so is given (the in-memory transport's: its {@link Position})
     */
    static Published announced(long sequence, Announcement announcement, LongFunction<String> idOf) {
        return new Published(sequence, true, true, announcement.topics(), announcement.estimatedBytes(), null, null,
                s -> announcement.withId().apply(idOf.apply(s)));
    }

    /** Its position in the order of everything published. */
    public long sequence() {
        return sequence;
    }

    /** Whether the hub published it (a subscription event) rather than a publisher. */
    public boolean hubEvent() {
        return hubEvent;
    }

    /** Whether only subscribers allowed to receive one of its topics may, without building it. */
    public boolean privateUpdate() {
        return privateUpdate;
    }

    /** Its topics, without building it. */
    public List<String> topics() {
        return topics;
    }

    /** What it weighs in a history: its frame's size, or an announcement's estimate while it is not built. */
    public long bytes() {
        return bytes >= 0 ? bytes : frame().size();
    }

    public Update update() {
        Update u = update;
        if (u == null) {
            LongFunction<Update> build = pending;
            u = build == null ? update : build.apply(sequence);
            update = u;
            pending = null;
        }
        return u;
    }

    public Frame frame() {
        Frame f = frame;
        if (f == null) {
            f = Frame.of(update());
            frame = f;
        }
        return f;
    }
}
