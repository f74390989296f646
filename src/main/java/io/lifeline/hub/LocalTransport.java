package io.lifeline.hub;

import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory transport of a single node.
 *
 * <p>One lock orders publishing, the history and connecting subscribers, and is held only for that: numbering an
 * update, keeping it, and queuing it for the fan-out; or replaying to a subscriber and attaching it. The fan-out runs
 * outside the lock on one thread of its own, one update at a time and in order (fanning out only queues bytes, it
 * never waits for a subscriber). So an update that reaches a million subscribers holds up no subscriber that
 * connects meanwhile, and no timer or writer thread ever runs a fan-out. A publisher returns once its update has
 * been fanned out, as when it fanned out itself: publishers cannot outrun the fan-out.</p>
 *
 * <p>A subscriber attached while earlier updates still wait for the fan-out has had them in its replay, or asked for
 * none: {@code attach} tells it the sequence it joined at, and the fan-out skips every update at or below it. An
 * action that needs the fan-out to have caught up ({@link #atPosition}, a subscriber's final cursor) waits in the
 * same queue.</p>
 */
final class LocalTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTransport.class);

    private final Consumer<Published> fanOut;
    private final History history;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queuedSome = lock.newCondition();
    private final Condition fannedOutSome = lock.newCondition();
    /** Fan-outs and actions waiting for their turn, in order. Guarded by {@code lock}. */
    private final Queue<Queued> queued = new ArrayDeque<>();
    private final Thread fanOutThread;
    private long sequence;
    /** The sequence of the last update fanned out. Guarded by {@code lock}. */
    private long fannedOut;
    private String lastEventId = EARLIEST;
    private boolean closed;

    /** An update to fan out ({@code sequence} above 0), or an action to run in its turn. */
    private record Queued(long sequence, Runnable run) {
    }

    LocalTransport(History history, Consumer<Published> fanOut) {
        this.history = history;
        this.fanOut = fanOut;
        this.fanOutThread = new Thread(this::fanOutLoop, "lifeline-fan-out");
        fanOutThread.setDaemon(true);
        fanOutThread.start();
    }

    @Override
    public void publish(Update update, boolean hubEvent) {
        Frame frame = Frame.of(update); // encoded once, outside the lock
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the hub is stopping");
            }
            long published = append(update, frame, hubEvent);
            // A publisher waits for its own fan-out. The hub's own events never wait: one may be published from
            // inside a fan-out (a subscriber that ends while it receives an update).
            if (!hubEvent && Thread.currentThread() != fanOutThread) {
                awaitFannedOut(published);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Numbers, keeps and queues one update for the fan-out; the caller holds the lock. */
    private long append(Update update, Frame frame, boolean hubEvent) {
        Published published = new Published(++sequence, update, frame, hubEvent);
        history.add(published);
        lastEventId = update.id();
        queued.add(new Queued(published.sequence(), () -> fanOut.accept(published)));
        queuedSome.signal();
        return published.sequence();
    }

    private void awaitFannedOut(long target) {
        while (fannedOut < target && fanOutThread.isAlive()) {
            try {
                fannedOutSome.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String connect(String lastEventId, List<Update> announcements, Consumer<Published> replay,
                          Attach attach) {
        List<Frame> frames = announcements.stream().map(Frame::of).toList(); // encoded outside the lock
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
            if (!closed) { // a subscriber that races with the hub's stop is sent away unannounced
                for (int i = 0; i < announcements.size(); i++) {
                    append(announcements.get(i), frames.get(i), true);
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
            if (queued.isEmpty() && fannedOut == sequence) {
                action.accept(position); // nothing waits for the fan-out, and nothing can be published meanwhile
            } else {
                queued.add(new Queued(0, () -> action.accept(position)));
                queuedSome.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs what is queued, in order, outside the lock; ends once closed and nothing is left. */
    private void fanOutLoop() {
        while (true) {
            Queued next;
            lock.lock();
            try {
                while (queued.isEmpty() && !closed) {
                    queuedSome.awaitUninterruptibly();
                }
                next = queued.poll();
                if (next == null) {
                    fannedOutSome.signalAll();
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                next.run().run();
            } catch (RuntimeException e) {
                LOG.error("a fan-out failed; the next update goes on", e);
            }
            if (next.sequence() > 0) {
                lock.lock();
                try {
                    fannedOut = next.sequence();
                    fannedOutSome.signalAll();
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

    /** Refuses further updates; what is queued is still fanned out, then the fan-out's thread ends. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queuedSome.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
