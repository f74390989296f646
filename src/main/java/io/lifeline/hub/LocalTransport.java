package io.lifeline.hub;

import io.lifeline.protocol.Update;
import io.lifeline.subscriber.Frame;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory transport of a single node.
 *
 * <p>One lock orders publishing, the history and connecting subscribers, and is held only for that: numbering an
 * update, keeping it, and queuing it for the fan-out; or replaying to a subscriber and attaching it. The fan-out runs
 * outside the lock, one update at a time and in order (fanning out only queues bytes, it never waits for a
 * subscriber). So an update that reaches a million subscribers holds up no subscriber that connects meanwhile, and
 * no timer or writer thread ever runs a fan-out. A publisher returns once its update has been fanned out:
 * publishers cannot outrun the fan-out.</p>
 *
 * <p>Who runs a fan-out: a publisher whose update finds no fan-out running runs the queue itself, on its own thread,
 * up to its own update, and then hands what is left to the transport's fan-out thread. The publisher waited for its
 * fan-out anyway; running it saves two thread switches per publish (to the fan-out thread and back), which on a
 * loaded core cost more than fanning an update out to a few subscribers. A publisher that finds a fan-out running
 * waits for its turn as before. The hub's own events (subscription events, which may be published from inside a
 * fan-out) never run a fan-out and never wait; the fan-out thread runs them.</p>
 *
 * <p>An update no subscriber can receive (the {@code mayReach} test finds no selector that could match one of its
 * topics, checked under the lock that attaching subscribers also take, so a subscriber attached later joins after
 * it) is kept in the history and numbered but never handed to the fan-out; when nothing is queued before it, it
 * wakes no thread either. A subscriber's start and end, announced on topics nobody subscribed to, cost no thread
 * switch.</p>
 *
 * <p>A subscriber attached while earlier updates still wait for the fan-out has had them in its replay, or asked for
 * none: {@code attach} tells it the sequence it joined at, and the fan-out skips every update at or below it. An
 * action that needs the fan-out to have caught up ({@link #atPosition}, a subscriber's final cursor) waits in the
 * same queue.</p>
 */
final class LocalTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTransport.class);

    private final Consumer<Published> fanOut;
    private final Predicate<List<String>> mayReach;
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
    /** The thread running queued fan-outs now (a publisher's, or the fan-out thread), or null. Guarded by lock. */
    private Thread runner;
    /** The last update published, or null. Guarded by {@code lock}. */
    private Published last;
    private boolean closed;

    /** An update to fan out ({@code sequence} above 0), or an action to run in its turn. */
    private record Queued(long sequence, Runnable run) {
    }

    /**
     * @param fanOut   hands one update to the subscribers it reaches
     * @param mayReach whether any subscriber could receive an update of these topics; false only when none can
     *                 (called under the lock that attaching subscribers take, so a subscriber attached before it is
     *                 always seen)
     */
    LocalTransport(History history, Consumer<Published> fanOut, Predicate<List<String>> mayReach) {
        this.history = history;
        this.fanOut = fanOut;
        this.mayReach = mayReach;
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
            long published = append(Published.of(sequence + 1, update, frame, hubEvent));
            // A publisher waits for its own fan-out. The hub's own events never wait: one may be published from
            // inside a fan-out (a subscriber that ends while it receives an update).
            if (!hubEvent && Thread.currentThread() != runner) {
                runOrAwait(published);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keeps and queues one update for the fan-out, numbered the next in order; the caller holds the lock. */
    private long append(Published published) {
        sequence = published.sequence();
        history.add(published);
        last = published;
        Runnable run;
        if (mayReach.test(published.topics())) {
            run = () -> fanOut.accept(published);
        } else if (queued.isEmpty() && runner == null && fannedOut == published.sequence() - 1) {
            fannedOut = published.sequence(); // nobody to hand it to, and nothing before it to wait for
            return published.sequence();
        } else {
            run = () -> { }; // nobody to hand it to, but in its turn, so that waiting for it ends in order
        }
        queued.add(new Queued(published.sequence(), run));
        if (runner == null) {
            queuedSome.signal();
        }
        return published.sequence();
    }

    /**
     * Returns once the fan-out has reached {@code target}: runs the queue on this thread up to it while no other
     * thread does, and waits for the one that does otherwise. The caller holds the lock.
     */
    private void runOrAwait(long target) {
        while (fannedOut < target && fanOutThread.isAlive()) {
            if (runner == null) {
                runner = Thread.currentThread();
                try {
                    while (fannedOut < target && !queued.isEmpty()) {
                        runNext();
                    }
                } finally {
                    runner = null;
                    if (!queued.isEmpty() || closed) {
                        queuedSome.signal(); // what came after this publisher's update is the fan-out thread's
                    }
                }
            } else {
                fannedOutSome.awaitUninterruptibly();
            }
        }
    }

    /** Runs the first queued fan-out or action outside the lock; the caller holds the lock and is the runner. */
    private void runNext() {
        Queued next = queued.poll();
        lock.unlock();
        try {
            next.run().run();
        } catch (RuntimeException e) {
            LOG.error("a fan-out failed; the next update goes on", e);
        } finally {
            lock.lock();
        }
        if (next.sequence() > 0) {
            fannedOut = next.sequence();
        }
        fannedOutSome.signalAll();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The announcements are numbered and kept, and built (their id is their {@link Position}) only if someone
     * reads them.</p>
     */
    @Override
    public String connect(String lastEventId, Listing listing, List<Announcement> announcements,
                          Consumer<Published> replay, Attach attach) {
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
                for (Announcement announcement : announcements) {
                    append(Published.announced(sequence + 1, announcement, history::positionId));
                }
            }
            attach.at(history.position(), sequence);
            return preceding;
        } finally {
            lock.unlock();
        }
    }

    /** The announcements are numbered and kept as {@link #connect}'s are; a stopped transport drops them. */
    @Override
    public void disconnect(String subscriber, List<Announcement> announcements) {
        if (announcements.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the hub is stopping");
            }
            for (Announcement announcement : announcements) {
                append(Published.announced(sequence + 1, announcement, history::positionId));
            }
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

    /** Runs what is queued, in order, whenever no publisher does; ends once closed and nothing is left. */
    private void fanOutLoop() {
        lock.lock();
        try {
            while (true) {
                // a publisher running the queue signals when it stops, also once closed
                while (runner != null || (queued.isEmpty() && !closed)) {
                    queuedSome.awaitUninterruptibly();
                }
                if (queued.isEmpty()) {
                    fannedOutSome.signalAll();
                    return;
                }
                runner = fanOutThread;
                try {
                    runNext();
                } finally {
                    runner = null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String lastEventId() {
        Published latest;
        lock.lock();
        try {
            latest = last;
        } finally {
            lock.unlock();
        }
        return latest == null ? EARLIEST : latest.update().id();
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
