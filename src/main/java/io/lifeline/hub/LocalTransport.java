package io.lifeline.hub;

import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The in-memory transport of a single node.
 *
 * <p>One lock orders publishing, the history and connecting subscribers, and is held only for that: numbering an
 * update, keeping it, and queuing it for the fan-out; or replaying to a subscriber and attaching it. The fan-out runs
 * outside the lock, one update at a time and in order, on the thread of whichever caller found it idle (usually the
 * publisher; fanning out only queues bytes, it never waits for a subscriber). So an update that reaches a million
 * subscribers holds up neither a new subscriber nor the next publisher for longer than it takes to queue it.</p>
 *
 * <p>A subscriber attached while earlier updates still wait for the fan-out has had them in its replay, or asked for
 * none: {@code attach} tells it the sequence it joined at, and the fan-out skips every update at or below it. An
 * action that needs the fan-out to have caught up ({@link #atPosition}, a subscriber's final cursor) waits in the
 * same queue.</p>
 */
final class LocalTransport implements Transport {

    private final Consumer<Published> fanOut;
    private final History history;
    private final ReentrantLock lock = new ReentrantLock();
    /** Fan-outs and actions waiting for their turn, in order. Guarded by {@code lock}. */
    private final Queue<Runnable> queued = new ArrayDeque<>();
    /** Whether some thread runs {@link #queued} now. Guarded by {@code lock}. */
    private boolean draining;
    private long sequence;
    private String lastEventId = EARLIEST;
    private boolean closed;

    LocalTransport(History history, Consumer<Published> fanOut) {
        this.history = history;
        this.fanOut = fanOut;
    }

    @Override
    public void publish(Update update, boolean hubEvent) {
        Frame frame = Frame.of(update); // encoded once, outside the lock
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the hub is stopping");
            }
            Published published = new Published(++sequence, update, frame, hubEvent);
            history.add(published);
            lastEventId = update.id();
            queued.add(() -> fanOut.accept(published));
        } finally {
            lock.unlock();
        }
        drain();
    }

    @Override
    public String connect(String lastEventId, Consumer<Published> replay, Attach attach) {
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
            attach.at(history.position(), sequence);
            return preceding;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String position() {
        lock.lock();
        try {
            return history.position();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void atPosition(Consumer<String> action) {
        lock.lock();
        try {
            String position = history.position();
            queued.add(() -> action.accept(position));
        } finally {
            lock.unlock();
        }
        drain();
    }

    /**
     * Runs what is queued, in order, outside the lock, unless another thread (or this one, further up its stack: a
     * publish made from inside a fan-out) is already doing so; that one runs it next.
     */
    private void drain() {
        lock.lock();
        try {
            if (draining) {
                return;
            }
            draining = true;
        } finally {
            lock.unlock();
        }
        boolean done = false;
        try {
            while (true) {
                Runnable next;
                lock.lock();
                try {
                    next = queued.poll();
                    if (next == null) {
                        draining = false;
                        done = true;
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                next.run();
            }
        } finally {
            if (!done) { // a fan-out threw: the next publish or action drains what is left
                lock.lock();
                try {
                    draining = false;
                } finally {
                    lock.unlock();
                }
            }
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
