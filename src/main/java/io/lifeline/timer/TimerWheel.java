package io.lifeline.timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that runs what is due: heartbeats, write deadlines and token expiries of every subscriber.
 *
 * <p>A hashed wheel: time is cut into ticks, each tick owns a bucket, and a timeout waits in the bucket of the tick
 * in which it falls due, counting down the whole turns of the wheel it must still wait. Each tick visits only its own
 * bucket, so 100,000 idle subscribers cost a visit each per heartbeat, not a scheduled task each. A timeout runs at
 * most one tick late and never early.</p>
 *
 * <p>The thread sleeps through ticks whose buckets are empty: it wakes at the end of the next tick that holds a
 * timeout, or when a timeout is scheduled before that. A wheel of 10 ms ticks with the heartbeat's rounds every
 * 100 ms in it wakes 10 times a second, not 100: waking every tick, the timer of a hub with no subscriber used
 * about 1 % of a core on this machine.</p>
 *
 * <p>Tasks run on the wheel's thread and must be short: they queue work or end a subscriber, never block.
 * {@link #schedule} and {@link Timeout#cancel} are safe from any thread; a cancelled timeout lets go of its task at
 * once, so a subscriber that has ended is not held until its deadline would have come.</p>
 */
public final class TimerWheel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TimerWheel.class);

    private final long tickNanos;
    private final int mask;
    private final ArrayList<Timeout>[] buckets;
    private final Queue<Timeout> incoming = new ConcurrentLinkedQueue<>();
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;
    /** When the thread means to wake next, unless {@link #sleepsUntilScheduled}. */
    private volatile long wakeAtNanos;
    /** The wheel holds nothing: the thread sleeps until a timeout is scheduled. */
    private volatile boolean sleepsUntilScheduled;
    /** Times the thread woke, to run a tick or to admit a timeout (for tests). */
    private volatile long wakeups;
    /** The next tick to run; every tick before it has run or held nothing. Only the wheel's thread uses it. */
    private long tick;

    /**
     * @param tick  the resolution; a timeout runs at most this late
     * @param slots buckets in the wheel, rounded up to a power of two; one turn lasts {@code tick * slots}
     */
    @SuppressWarnings("unchecked")
    public TimerWheel(Duration tick, int slots, String threadName) {
        this.tickNanos = tick.toNanos();
        int size = Integer.highestOneBit(Math.max(2, slots - 1)) << 1;
        this.mask = size - 1;
        this.buckets = new ArrayList[size];
        for (int i = 0; i < size; i++) {
            buckets[i] = new ArrayList<>();
        }
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Runs {@code task} on the wheel's thread once {@code delay} has passed, unless cancelled first. */
    public Timeout schedule(Duration delay, Runnable task) {
        return scheduleAt(System.nanoTime() + Math.max(0, delay.toNanos()), task);
    }

    /** Runs {@code task} once {@link System#nanoTime()} has reached {@code deadlineNanos}. */
    public Timeout scheduleAt(long deadlineNanos, Runnable task) {
        Timeout t = new Timeout(deadlineNanos, task);
        if (running) {
            incoming.add(t);
            if (sleepsUntilScheduled || deadlineNanos - wakeAtNanos < 0) {
                LockSupport.unpark(thread); // it sleeps past this deadline: it wakes to admit it
            }
        }
        return t;
    }

    /** Timeouts waiting in the wheel, cancelled ones included until their tick visits them (for benchmarks). */
    public int pending() {
        int n = incoming.size();
        for (ArrayList<Timeout> bucket : buckets) {
            n += bucket.size();
        }
        return n;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            step();
        }
        incoming.clear();
        for (ArrayList<Timeout> bucket : buckets) {
            bucket.clear();
        }
    }

    /**
     * Runs the next busy tick if it is due, else sleeps until it is (or until a timeout comes in). A method of its
     * own, so that the JIT compiles it once it has been called often enough: a loop that never returns is compiled
     * only after many thousands of turns, and at ten turns a second {@code perf} still found the timer's thread in
     * the interpreter two minutes after start.
     */
    private void step() {
        long now = System.nanoTime();
        // ticks that held nothing are passed over, never one that holds a timeout: its turns are counted there
        long busy = nextBusyTick();
        tick = Math.max(tick, Math.min(Math.floorDiv(now - startNanos, tickNanos), busy));
        if (admitIncoming()) {
            busy = nextBusyTick();
        }
        boolean empty = busy == Long.MAX_VALUE;
        long due = empty ? now : startNanos + (busy + 1) * tickNanos;
        if (empty || due - now > 0) {
            sleepUntil(empty, due, now);
            return;
        }
        tick = busy;
        expire(buckets[(int) (tick & mask)]);
        tick++;
    }

    /**
     * Sleeps until {@code due}, or until a timeout is scheduled if the wheel is {@code empty}; a timeout scheduled
     * before {@code due} wakes it too. The wake time is published before the last look at {@code incoming}, so a
     * concurrent {@link #scheduleAt} either is seen here or sees the wake time and unparks.
     */
    private void sleepUntil(boolean empty, long due, long now) {
        wakeAtNanos = due;
        sleepsUntilScheduled = empty;
        if (incoming.isEmpty() && running) {
            if (empty) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, due - now);
            }
            wakeups++;
        }
        sleepsUntilScheduled = false;
    }

    /** The first tick from {@link #tick} on whose bucket holds a timeout, or {@link Long#MAX_VALUE} if none does. */
    private long nextBusyTick() {
        for (int i = 0; i < buckets.length; i++) {
            if (!buckets[(int) ((tick + i) & mask)].isEmpty()) {
                return tick + i;
            }
        }
        return Long.MAX_VALUE;
    }

    /** Times the wheel's thread woke from a sleep (for tests). */
    long wakeups() {
        return wakeups;
    }

    /** Puts scheduled timeouts in their buckets; returns whether it put any. */
    private boolean admitIncoming() {
        boolean admitted = false;
        Timeout t;
        while ((t = incoming.poll()) != null) {
            if (t.task == null) {
                continue;
            }
            admitted = true;
            long target = Math.max(tick, Math.floorDiv(t.deadlineNanos - startNanos, tickNanos));
            t.rounds = (target - tick) / buckets.length;
            buckets[(int) (target & mask)].add(t);
        }
        return admitted;
    }

    private void expire(ArrayList<Timeout> bucket) {
        int kept = 0;
        int size = bucket.size();
        for (int i = 0; i < size; i++) {
            Timeout t = bucket.get(i);
            Runnable task = t.task;
            if (task == null) {
                continue;
            }
            if (t.rounds > 0) {
                t.rounds--;
                bucket.set(kept++, t);
                continue;
            }
            if (t.fire()) {
                try {
                    task.run();
                } catch (Throwable e) {
                    LOG.warn("a timer task failed", e);
                }
            }
        }
        for (int i = size - 1; i >= kept; i--) {
            bucket.remove(i);
        }
    }

    /** A scheduled task. */
    public static final class Timeout {
        private final long deadlineNanos;
        private volatile Runnable task;
        private long rounds;

        private Timeout(long deadlineNanos, Runnable task) {
            this.deadlineNanos = deadlineNanos;
            this.task = task;
        }

        /** Prevents the task from running if it has not started; idempotent, safe from any thread. */
        public void cancel() {
            task = null;
        }

        private boolean fire() {
            boolean live = task != null;
            task = null;
            return live;
        }
    }
}
