package io.lifeline.hub;

import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The in-memory transport of a single node: one lock orders publishing, history and connecting subscribers, and
 * updates fan out on the publishing thread (fanning out only queues bytes, it never waits for a subscriber).
 */
final class LocalTransport implements Transport {

    private final Consumer<Published> fanOut;
    private final History history;
    private final ReentrantLock lock = new ReentrantLock();
    private final Queue<Published> publishedDuringFanOut = new ArrayDeque<>();
    private long sequence;
    private boolean fanningOut;
    private String lastEventId = EARLIEST;
    private boolean closed;

    LocalTransport(History history, Consumer<Published> fanOut) {
        this.history = history;
        this.fanOut = fanOut;
    }

    @Override
    public void publish(Update update, boolean hubEvent) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the hub is stopping");
            }
            Published published = new Published(++sequence, update, Frame.of(update), hubEvent);
            history.add(published);
            lastEventId = update.id();
            if (fanningOut) {
                publishedDuringFanOut.add(published); // goes out right after the update in progress, in order
                return;
            }
            fanningOut = true;
            try {
                fanOut.accept(published);
                Published next;
                while ((next = publishedDuringFanOut.poll()) != null) {
                    fanOut.accept(next);
                }
            } finally {
                fanningOut = false;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String connect(String lastEventId, Consumer<Published> replay, Consumer<String> attach) {
        lock.lock();
        try {
            String preceding = EARLIEST;
            if (lastEventId != null) {
                History.Replay held = history.after(lastEventId);
                held.updates().forEach(replay);
                if (held.found()) {
                    preceding = lastEventId;
                }
            }
            attach.accept(history.position());
            return preceding;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void atPosition(Consumer<String> action) {
        lock.lock();
        try {
            action.accept(history.position());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String lastEventId() {
        lock.lock();
        try {
            return lastEventId;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }
}
