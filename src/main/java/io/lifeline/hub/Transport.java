package io.lifeline.hub;

import io.lifeline.protocol.Update;

/**
 * The one seam every update passes through on its way to subscribers. The in-memory transport serves one node; a
 * transport shared by several nodes (through Redis, say) would give each update its place in one order for all of
 * them and hand it to every node's fan-out.
 */
public interface Transport extends AutoCloseable {

    /** The value of {@link #lastEventId()} before anything is published. */
    String EARLIEST = "earliest";

    /**
     * Orders the update after every update published before it and hands it to the fan-out. Updates reach the
     * fan-out one at a time, in that order.
     */
    void publish(Update update);

    /** The id of the last update published, or {@link #EARLIEST}. */
    String lastEventId();

    @Override
    void close();
}
