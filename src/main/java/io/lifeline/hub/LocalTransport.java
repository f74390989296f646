package io.lifeline.hub;

import io.lifeline.protocol.Update;
import java.util.function.Consumer;

/** The in-memory transport of a single node: updates are ordered by a lock and fanned out on the publishing thread. */
final class LocalTransport implements Transport {

    private final Consumer<Update> fanOut;
    private String lastEventId = EARLIEST;
    private boolean closed;

    LocalTransport(Consumer<Update> fanOut) {
        this.fanOut = fanOut;
    }

    @Override
    public synchronized void publish(Update update) {
        if (closed) {
            throw new IllegalStateException("the hub is stopping");
        }
        lastEventId = update.id();
        fanOut.accept(update);
    }

    @Override
    public synchronized String lastEventId() {
        return lastEventId;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
