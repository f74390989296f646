package io.lifeline.subscriber;

import io.lifeline.timer.TimerWheel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Every subscriber's heartbeat, written in rounds rather than one scheduled task each.
 *
 * <p>One heartbeat interval is cut into slots of one tick each (the interval / 50, between 10 ms and 100 ms); a
 * subscriber joins the slot that was visited last, so its first heartbeat comes one interval after it started and
 * every later one an interval after the previous. Each tick, one writer task visits one slot and writes each of its
 * subscribers' comment on the spot ({@link Outbox#heartbeat}): no frame queued, no task per subscriber, and one
 * readiness check per heartbeat instead of three. A subscriber whose stream is busy (bytes queued, a write not
 * finished, another thread writing) gets none: its connection is not idle, which is all a heartbeat is for (keeping
 * proxies from closing an idle connection, and making a write fail where the client is gone).</p>
 *
 * <p>A slot is an array guarded by its own lock, which is held only to add, remove or copy: the copy is walked
 * outside it, so a subscriber joining or leaving never waits for a round's writes.</p>
 */
public final class Heartbeats {

    private static final int SLOTS_PER_INTERVAL = 50;
    private static final Duration MIN_TICK = Duration.ofMillis(10);
    private static final Duration MAX_TICK = Duration.ofMillis(100);

    private final TimerWheel timer;
    private final Executor writers;
    private final long tickNanos;
    private final Slot[] slots;
    private final long startNanos = System.nanoTime();
    /** The slot the next round visits. Only the timer's thread writes it. */
    private volatile int next;
    private volatile boolean stopped;

    /**
     * @param interval the time between two heartbeats of one subscriber
     * @param timer    schedules the rounds
     * @param writers  run the rounds' writes
     */
    public Heartbeats(Duration interval, TimerWheel timer, Executor writers) {
        this.timer = timer;
        this.writers = writers;
        long tick = Math.max(MIN_TICK.toNanos(), Math.min(MAX_TICK.toNanos(), interval.toNanos() / SLOTS_PER_INTERVAL));
        int count = (int) Math.max(1, Math.min(Integer.MAX_VALUE, interval.toNanos() / tick));
        this.tickNanos = interval.toNanos() / count;
        this.slots = new Slot[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Slot(i);
        }
        scheduleRound(1);
    }

    /** Adds a subscriber: its first heartbeat comes about one interval from now. */
    void add(Subscriber subscriber) {
        int n = next - 1;
        slots[n < 0 ? slots.length - 1 : n].add(subscriber);
    }

    /** Removes a subscriber; it gets no heartbeat from the next round on. Does nothing if it was never added. */
    void remove(Subscriber subscriber) {
        int slot = subscriber.heartbeatSlot;
        if (slot >= 0) {
            slots[slot].remove(subscriber);
        }
    }

    /** Subscribers that get heartbeats (for tests and benchmarks). */
    public int size() {
        int n = 0;
        for (Slot slot : slots) {
            synchronized (slot) {
                n += slot.size;
            }
        }
        return n;
    }

    /** Stops the rounds; heartbeats already being written finish. */
    public void stop() {
        stopped = true;
    }

    private void scheduleRound(long round) {
        if (stopped) {
            return;
        }
        timer.scheduleAt(startNanos + round * tickNanos, () -> {
            int visit = next;
            next = visit + 1 == slots.length ? 0 : visit + 1;
            Subscriber[] due = slots[visit].copy();
            if (due.length > 0) {
                try {
                    writers.execute(() -> beat(due));
                } catch (RejectedExecutionException e) {
                    return; // the hub is stopping
                }
            }
            scheduleRound(round + 1);
        });
    }

    private static void beat(Subscriber[] due) {
        for (Subscriber subscriber : due) {
            subscriber.heartbeat();
        }
    }

    /** One tick's subscribers; each knows its index here, so that leaving costs one swap. */
    private static final class Slot {
        private final int number;
        private Subscriber[] members = new Subscriber[4];
        private int size;

        Slot(int number) {
            this.number = number;
        }

        synchronized void add(Subscriber subscriber) {
            if (subscriber.heartbeatSlot >= 0) {
                return;
            }
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
            }
            subscriber.heartbeatSlot = number;
            subscriber.heartbeatIndex = size;
            members[size++] = subscriber;
        }

        synchronized void remove(Subscriber subscriber) {
            int i = subscriber.heartbeatIndex;
            if (subscriber.heartbeatSlot != number || i >= size || members[i] != subscriber) {
                return;
            }
            Subscriber last = members[--size];
            members[i] = last;
            last.heartbeatIndex = i;
            members[size] = null;
            subscriber.heartbeatSlot = -1;
            if (size < members.length / 4 && members.length > 4) {
                members = Arrays.copyOf(members, members.length / 2);
            }
        }

        synchronized Subscriber[] copy() {
            return Arrays.copyOf(members, size);
        }
    }
}
